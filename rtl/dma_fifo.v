// Synchronous FIFO with a combinational read port (first-word fall-through).
// Small tracking queues only: the storage is plain flops so that the head entry is visible in the
// cycle it becomes valid, which the data path needs to keep one beat per cycle.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_fifo #(
    parameter integer WIDTH = 8,    // entry bits
    parameter integer DEPTH = 4     // entries: power of two, >= 2
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             clr,        // synchronous flush (drops every entry)

    input  wire [WIDTH-1:0] s_data,
    input  wire             s_valid,
    output wire             s_ready,

    output wire [WIDTH-1:0] m_data,
    output wire             m_valid,
    input  wire             m_ready,

    output wire [$clog2(DEPTH):0] count
);

localparam integer AW = $clog2(DEPTH);

initial begin
    if (DEPTH < 2 || (1 << AW) != DEPTH) begin
        $error("dma_fifo: DEPTH must be a power of two >= 2");
        $finish;
    end
end

reg [WIDTH-1:0] mem_q [0:DEPTH-1];
reg [AW:0]      wr_ptr_q, rd_ptr_q;

wire full  = (wr_ptr_q[AW] != rd_ptr_q[AW]) && (wr_ptr_q[AW-1:0] == rd_ptr_q[AW-1:0]);
wire empty = (wr_ptr_q == rd_ptr_q);

assign s_ready = !full;
assign m_valid = !empty;
assign m_data  = mem_q[rd_ptr_q[AW-1:0]];
assign count   = wr_ptr_q - rd_ptr_q;

// one process for storage and pointers (fewer processes to wake every clock in simulation)
always @(posedge clk) begin
    if (s_valid && !full) begin
        mem_q[wr_ptr_q[AW-1:0]] <= s_data;
    end
    if (rst || clr) begin
        wr_ptr_q <= {(AW+1){1'b0}};
        rd_ptr_q <= {(AW+1){1'b0}};
    end else begin
        if (s_valid && !full) begin
            wr_ptr_q <= wr_ptr_q + 1'b1;
        end
        if (m_ready && !empty) begin
            rd_ptr_q <= rd_ptr_q + 1'b1;
        end
    end
end

endmodule

`resetall
