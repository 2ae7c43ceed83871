// dmasim: one AXI address channel (AR or AW) shared by NREQ requestors.
// Round-robin pick among the requestors with a request pending, starting after the last winner,
// and a register slice holding the winning burst until the slave takes it. dma_axi_arb uses one
// for AR and one for AW; `accept` lets the AW side also wait for room in its W owner queue.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_rr_addr #(
    parameter integer NREQ       = 2,    // requestors
    parameter integer ADDR_WIDTH = 32,   // address bits
    parameter integer IW         = (NREQ > 1) ? $clog2(NREQ) : 1  // requestor index bits
) (
    input  wire                       clk,
    input  wire                       rst,

    input  wire [NREQ-1:0]            s_valid,
    input  wire [NREQ*ADDR_WIDTH-1:0] s_addr,
    input  wire [NREQ*8-1:0]          s_len,
    output reg  [NREQ-1:0]            s_ready,

    input  wire                       accept,   // a request may be taken this cycle
    output reg  [IW-1:0]              sel,      // the requestor picked (valid with `load`)
    output wire                       load,     // the picked request is taken this cycle

    output reg  [ADDR_WIDTH-1:0]      m_addr,
    output reg  [7:0]                 m_len,
    output reg  [IW-1:0]              m_id,
    output reg                        m_valid,
    input  wire                       m_ready
);

localparam integer NREQ_M1 = NREQ - 1;
localparam [IW:0]  NREQ_W  = NREQ[IW:0];
localparam [IW-1:0] LAST_RQ = NREQ_M1[IW-1:0];

reg [IW-1:0] ptr_q;
reg          found;
reg [IW:0]   idx;
integer      i;

always @* begin
    sel   = {IW{1'b0}};
    found = 1'b0;
    for (i = 0; i < NREQ; i = i + 1) begin
        idx = i[IW:0] + {1'b0, ptr_q};
        if (idx >= NREQ_W) idx = idx - NREQ_W;
        if (!found && s_valid[idx[IW-1:0]]) begin
            found = 1'b1;
            sel   = idx[IW-1:0];
        end
    end
end

assign load = found && (!m_valid || m_ready) && accept;

always @* begin
    s_ready = {NREQ{1'b0}};
    if (load) s_ready[sel] = 1'b1;
end

always @(posedge clk) begin
    if (rst) begin
        m_valid <= 1'b0;
        ptr_q   <= {IW{1'b0}};
    end else if (load) begin
        m_valid <= 1'b1;
        ptr_q   <= (sel == LAST_RQ) ? {IW{1'b0}} : sel + 1'b1;
    end else if (m_ready) begin
        m_valid <= 1'b0;
    end
    // the burst registers only change when loaded (skipping idle loads keeps simulation fast)
    if (load) begin
        m_addr <= s_addr[sel*ADDR_WIDTH +: ADDR_WIDTH];
        m_len  <= s_len[sel*8 +: 8];
        m_id   <= sel;
    end
end

endmodule

`resetall
