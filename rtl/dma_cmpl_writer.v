// Completion writer of one channel (docs/descriptor.md, Completion and Errors): completes the
// descriptors at the completion queue's head in ring order, and halts the channel after an error.
//
// Completing a descriptor: check the completion record's window, write the 32-bit status word
// over the first slot's CTRL, wait for its write response, write the 8-byte completion record
// when CTRL.CMPL_WB_EN is set (two beats on a 32-bit bus), wait for that response, then advance
// HEAD past the descriptor's slots and count an INT_EN completion towards the DONE interrupt.
// CMPL_WB_EN and CMPL_ADDR are taken once, when the window is checked: software changing them
// meanwhile affects the next descriptor's completion, never puts this record elsewhere.
// After an error, once the channel has drained: write the faulting descriptor's status word with
// ERROR set when its slot is writable, then halt.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_cmpl_writer #(
    parameter integer DATA_WIDTH = 64,     // bus data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH = 32      // bus address bits: 32..64
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire                    flush,        // the channel drained after an error

    // configuration
    input  wire [63:0]             ring_base,
    input  wire [3:0]              log2_slots,
    input  wire                    cmpl_wb_en,
    input  wire [63:0]             cmpl_addr,
    input  wire [63:0]             win_base,
    input  wire [63:0]             win_limit,
    input  wire [15:0]             head,         // HEAD: the faulting descriptor after an error

    // the completion queue's head
    input  wire                    head_ready,   // its data transfer is done, it is not abandoned
    input  wire [15:0]             head_slot,
    input  wire [2:0]              head_nslots,
    input  wire                    head_int,
    input  wire                    head_nz,
    output reg                     pop,          // it is complete: pop it, HEAD moves ...
    output reg  [15:0]             head_next,    // ... to here
    output reg                     completed_int,  // an INT_EN descriptor completed

    // error stop
    input  wire                    drained,
    input  wire                    err_status_wr,  // the faulting descriptor's status is written
    input  wire [7:0]              err_code,
    output reg                     halt,
    output wire                    idle,
    output wire                    locked,       // writing the error status: no new error now

    // a fault of the head descriptor's completion
    output reg                     fault,
    output reg  [7:0]              fault_code,
    output wire [1:0]              fault_resp,
    output reg  [63:0]             fault_addr,
    output reg                     fault_status_wr,

    // AXI write requestor (see dma_axi_arb)
    output reg  [ADDR_WIDTH-1:0]   m_aw_addr,
    output reg  [7:0]              m_aw_len,
    output wire                    m_aw_valid,
    input  wire                    m_aw_ready,
    output reg  [DATA_WIDTH-1:0]   m_w_data,
    output reg  [DATA_WIDTH/8-1:0] m_w_strb,
    output wire                    m_w_last,
    output wire                    m_w_valid,
    input  wire                    m_w_ready,
    input  wire [1:0]              m_b_resp,
    input  wire                    m_b_valid,
    output wire                    m_b_ready
);

`include "dma_desc.vh"
`include "dma_functions.vh"

localparam integer DB = DATA_WIDTH / 8;
localparam integer LB = $clog2(DB);

// status word bits (dma_desc.vh, generated from rtl/dma_desc.toml)
localparam [31:0] STATUS_DONE  = 32'd1 << DMA_STATUS_DONE_LSB;
localparam [31:0] STATUS_ERROR = 32'd1 << DMA_STATUS_ERROR_LSB;

localparam [2:0] ST_IDLE = 3'd0, ST_STATUS = 3'd1, ST_STATUS_B = 3'd2, ST_RECORD = 3'd3,
                 ST_RECORD_B = 3'd4, ST_FINISH = 3'd5, ST_ERROR = 3'd6, ST_ERROR_B = 3'd7;

reg  [2:0]  state_q, state_d;
reg         aw_done_q, aw_done_d;      // this write's address was taken
reg         w_done_q, w_done_d;        // and its last data beat
reg         beat_q, beat_d;            // second beat of a record on a 32-bit bus
reg  [31:0] status_q, status_d;        // the status word being written
reg  [63:0] slot_addr_q, slot_addr_d;  // and its address
reg  [15:0] head_next_d;
reg         int_q, int_d;              // the descriptor has INT_EN
reg         rec_en_q, rec_en_d;        // a completion record follows the status word ...
reg  [63:0] rec_addr_q, rec_addr_d;    // ... at this address (both as checked)

wire        writing   = (state_q == ST_STATUS) || (state_q == ST_RECORD) || (state_q == ST_ERROR);
wire        record_ok = !cmpl_wb_en ||
                        win_ok({1'b0, cmpl_addr}, 24'd8, win_base, win_limit, ADDR_WIDTH);
wire [64:0] err_slot_addr  = slot_addr(ring_base, log2_slots, head);
wire [64:0] head_slot_addr = slot_addr(ring_base, log2_slots, head_slot);
wire [63:0] record    = {status_q, 16'd0, head_next};
wire        two_beats = (DB == 4);

assign idle       = (state_q == ST_IDLE);
assign locked     = (state_q == ST_ERROR) || (state_q == ST_ERROR_B);
assign m_aw_valid = writing && !aw_done_q;
assign m_w_valid  = writing && !w_done_q;
assign m_w_last   = !(state_q == ST_RECORD && two_beats && !beat_q);
assign m_b_ready  = (state_q == ST_STATUS_B) || (state_q == ST_RECORD_B) || (state_q == ST_ERROR_B);
assign fault_resp = (fault_code == DMA_ERR_STATUS_WRITE) ? m_b_resp : 2'b00;
wire   aw_fire    = m_aw_valid && m_aw_ready;
wire   w_fire     = m_w_valid && m_w_ready;

// W payload: the status word in lanes 0..3 (slots are 32-byte aligned), or the record at its
// address inside the beat; the replicas are cut to DATA_WIDTH
localparam [ADDR_WIDTH-1:0] BEAT_MASK = {{(ADDR_WIDTH-LB){1'b1}}, {LB{1'b0}}};
wire [127:0] status_rep  = {4{status_q}};
wire [127:0] record_rep  = {2{record}};
wire [127:0] half_rep    = {4{beat_q ? record[63:32] : record[31:0]}};
wire [31:0]  record_strb = 32'hFF << rec_addr_q[LB-1:0];
wire [31:0]  status_strb = 32'h0000_000F;

always @* begin
    m_aw_addr = slot_addr_q[ADDR_WIDTH-1:0];
    m_aw_len  = 8'd0;
    m_w_data  = status_rep[DATA_WIDTH-1:0];
    m_w_strb  = status_strb[DB-1:0];
    if (state_q == ST_RECORD) begin
        if (two_beats) begin
            // 32-bit bus: the 8-byte record is two beats
            m_aw_addr = rec_addr_q[ADDR_WIDTH-1:0];
            m_aw_len  = 8'd1;
            m_w_data  = half_rep[DATA_WIDTH-1:0];
            m_w_strb  = {DB{1'b1}};
        end else begin
            m_aw_addr = rec_addr_q[ADDR_WIDTH-1:0] & BEAT_MASK;
            m_w_data  = record_rep[DATA_WIDTH-1:0];
            m_w_strb  = record_strb[DB-1:0];
        end
    end
end

always @* begin
    state_d         = state_q;
    aw_done_d       = aw_done_q || aw_fire;
    w_done_d        = w_done_q;
    beat_d          = beat_q;
    status_d        = status_q;
    slot_addr_d     = slot_addr_q;
    head_next_d     = head_next;
    int_d           = int_q;
    rec_en_d        = rec_en_q;
    rec_addr_d      = rec_addr_q;
    fault           = 1'b0;
    fault_code      = DMA_ERR_STATUS_WRITE;
    fault_addr      = slot_addr_q;
    fault_status_wr = 1'b0;
    pop             = 1'b0;
    completed_int   = 1'b0;
    halt            = 1'b0;
    if (w_fire) begin
        if (m_w_last) w_done_d = 1'b1;
        beat_d = !beat_q;
    end

    case (state_q)
        ST_IDLE: begin
            aw_done_d = 1'b0;
            w_done_d  = 1'b0;
            beat_d    = 1'b0;
            if (drained) begin
                if (err_status_wr) begin
                    slot_addr_d = err_slot_addr[63:0];
                    status_d    = STATUS_DONE | STATUS_ERROR |
                                  ({24'd0, err_code} << DMA_STATUS_CODE_LSB);
                    state_d     = ST_ERROR;
                end else begin
                    halt = 1'b1;
                end
            end else if (head_ready) begin
                if (!record_ok) begin
                    fault           = 1'b1;
                    fault_code      = DMA_ERR_WINDOW;
                    fault_addr      = cmpl_addr;
                    fault_status_wr = 1'b1;
                end else begin
                    slot_addr_d = head_slot_addr[63:0];
                    status_d    = STATUS_DONE |
                                  ({31'd0, head_nz} << DMA_STATUS_XOR_NONZERO_LSB);
                    head_next_d = head_slot + {13'd0, head_nslots};
                    int_d       = head_int;
                    rec_en_d    = cmpl_wb_en;
                    rec_addr_d  = cmpl_addr;
                    state_d     = ST_STATUS;
                end
            end
        end
        ST_STATUS, ST_RECORD, ST_ERROR: begin
            if (aw_done_d && w_done_d) begin
                state_d = (state_q == ST_STATUS) ? ST_STATUS_B :
                          (state_q == ST_RECORD) ? ST_RECORD_B : ST_ERROR_B;
            end
        end
        ST_STATUS_B: begin
            if (m_b_valid) begin
                aw_done_d = 1'b0;
                w_done_d  = 1'b0;
                beat_d    = 1'b0;
                if (m_b_resp[1]) begin
                    fault   = 1'b1;
                    state_d = ST_IDLE;
                end else begin
                    state_d = rec_en_q ? ST_RECORD : ST_FINISH;
                end
            end
        end
        ST_RECORD_B: begin
            if (m_b_valid) begin
                if (m_b_resp[1]) begin
                    fault           = 1'b1;
                    fault_addr      = rec_addr_q;
                    fault_status_wr = 1'b1;
                    state_d         = ST_IDLE;
                end else begin
                    state_d = ST_FINISH;
                end
            end
        end
        ST_FINISH: begin
            pop           = 1'b1;
            completed_int = int_q;
            state_d       = ST_IDLE;
        end
        ST_ERROR_B: begin
            if (m_b_valid) begin
                halt    = 1'b1;
                state_d = ST_IDLE;
            end
        end
        default: state_d = ST_IDLE;
    endcase
end

always @(posedge clk) begin
    if (rst) begin
        state_q   <= ST_IDLE;
        aw_done_q <= 1'b0;
        w_done_q  <= 1'b0;
        beat_q    <= 1'b0;
    end else begin
        state_q   <= state_d;
        aw_done_q <= aw_done_d;
        w_done_q  <= w_done_d;
        beat_q    <= beat_d;
        if (flush) begin
            state_q <= ST_IDLE;
        end
    end
    // the words being written: no reset, loaded only when a write may start (keeps an idle
    // channel cheap in an event-driven simulator)
    if (state_q == ST_IDLE && (drained || head_ready)) begin
        status_q    <= status_d;
        slot_addr_q <= slot_addr_d;
        head_next   <= head_next_d;
        int_q       <= int_d;
        rec_en_q    <= rec_en_d;
        rec_addr_q  <= rec_addr_d;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{status_rep, record_rep, half_rep, record_strb, status_strb,  // cut to the bus
                   err_slot_addr[64], head_slot_addr[64]};  // slots the fetcher read: no carry
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
