// Descriptor ring prefetch for one channel.
//
// Fetches the slots between its own fetch count and TAIL, several 32-byte slots per read burst
// (up to MAX_FETCH, never past the ring's end, a 4 KiB boundary or the free space of the slot
// queue), and hands whole slots to the decoder in ring order. The ring range of each burst is
// window-checked before the read; a slot that is refused (WINDOW) or read with an error response
// (DESC_READ) is delivered as a poisoned slot, so the fault is reported in descriptor order,
// after the descriptors before it have completed.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_fetch #(
    parameter integer DATA_WIDTH    = 64,  // bus data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH    = 32,  // bus address bits: 32..64
    parameter integer MAX_BURST_LEN = 16,  // beats per AXI burst: bounds a fetch burst
    parameter integer SQ_DEPTH      = 8    // slots the queue to the decoder holds (>= 4)
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  clr,        // drained: drop queued slots, fetch count to 0

    input  wire                  en,         // fetching allowed
    input  wire [63:0]           ring_base,
    input  wire [3:0]            log2_slots,
    input  wire [15:0]           tail,
    input  wire [63:0]           win_base,
    input  wire [63:0]           win_limit,

    output wire [255:0]          slot_data,
    output wire [1:0]            slot_err,   // 0 ok, 1 DESC_READ, 2 WINDOW
    output wire [1:0]            slot_resp,
    output wire                  slot_valid,
    input  wire                  slot_ready,

    output wire                  busy,

    output wire [ADDR_WIDTH-1:0] m_ar_addr,
    output wire [7:0]            m_ar_len,
    output wire                  m_ar_valid,
    input  wire                  m_ar_ready,
    input  wire [DATA_WIDTH-1:0] m_r_data,
    input  wire [1:0]            m_r_resp,
    input  wire                  m_r_last,
    input  wire                  m_r_valid,
    output wire                  m_r_ready
);

`include "dma_functions.vh"

localparam integer DB    = DATA_WIDTH / 8;
localparam integer BPS   = 32 / DB;                 // beats per slot
localparam integer BPSW  = (BPS > 1) ? $clog2(BPS) : 1;
localparam integer MAXF0 = (MAX_BURST_LEN * DB) / 32;
localparam integer MAXF  = (MAXF0 < 1) ? 1 : (MAXF0 > 4) ? 4 : MAXF0;
localparam integer SQW   = $clog2(SQ_DEPTH);
localparam [SQW+1:0] SQD = SQ_DEPTH[SQW+1:0];
localparam [7:0]  BPS8 = BPS[7:0];
localparam integer BPS_M1 = BPS - 1;
localparam [BPSW-1:0] BPS_LAST = BPS_M1[BPSW-1:0];

initial begin
    if (SQ_DEPTH < MAXF || SQ_DEPTH < 4) begin
        $error("dma_fetch: SQ_DEPTH too small");
        $finish;
    end
end

reg  [15:0]    fptr_q;
reg  [SQW:0]   inflight_q;      // slots requested, not yet received
reg            stopped_q;       // a window fault was queued: fetch nothing more
reg  [BPSW-1:0] bcnt_q;
reg  [255:0]   asm_q;
reg  [1:0]     resp_q;          // worst response seen in the slot being assembled

wire [SQW:0]   sq_count;
wire           sq_s_ready;

// ---------------------------------------------------------------- next burst
wire [16:0]    size      = 17'd1 << log2_slots;
wire [15:0]    avail     = tail - fptr_q;
wire [15:0]    pos       = fptr_q & (size[15:0] - 16'd1);
wire [16:0]    to_wrap   = size - {1'b0, pos};
wire [64:0]    addr      = slot_addr(ring_base, log2_slots, fptr_q);  // with its carry
wire [7:0]     to_4k     = 8'd128 - {1'b0, addr[11:5]};
wire [SQW+1:0] used      = {1'b0, sq_count} + {1'b0, inflight_q};
wire [SQW+1:0] free      = SQD - used;

reg  [7:0]     n;
always @* begin
    n = MAXF[7:0];
    if ({1'b0, avail} < {9'd0, n})   n = avail[7:0];
    if (to_wrap < {9'd0, n})         n = to_wrap[7:0];
    if (to_4k < n)                   n = to_4k;
    if ({{(8-SQW-2){1'b0}}, free} < n) n = {{(8-SQW-2){1'b0}}, free};
end

// the burst's slots, or at least its first one, lie inside the window and the address space
wire ok_n   = win_ok(addr, {11'd0, n, 5'b0}, win_base, win_limit, ADDR_WIDTH);
wire ok_1   = win_ok(addr, 24'd32, win_base, win_limit, ADDR_WIDTH);
// one fetch burst at a time: data reads of the descriptors already fetched are not queued
// behind a long run of descriptor beats on the shared read channel
wire want   = en && !stopped_q && (n != 8'd0) && (inflight_q == 0);
wire [7:0] nf = ok_n ? n : 8'd1;

assign m_ar_valid = want && (ok_n || ok_1);
assign m_ar_addr  = addr[ADDR_WIDTH-1:0];
assign m_ar_len   = (nf * BPS8) - 8'd1;
wire   ar_fire    = m_ar_valid && m_ar_ready;

// refused slot: queue a poisoned slot once everything before it has arrived
wire   poison     = want && !ok_n && !ok_1 && (inflight_q == 0) && sq_s_ready;

// ---------------------------------------------------------------- read data
assign m_r_ready = 1'b1;        // space was reserved when the burst was issued
wire   r_fire    = m_r_valid;
wire   slot_done = r_fire && (bcnt_q == BPS_LAST);
wire [255:0] asm_next = {m_r_data, asm_q[255:DATA_WIDTH]};
wire [1:0]   resp_next = (m_r_resp[1] && !resp_q[1]) ? m_r_resp : resp_q;

wire [259:0] sq_in = poison ? {2'd2, 2'd0, 256'd0}
                            : {(resp_next[1] ? 2'd1 : 2'd0), resp_next, asm_next};
wire [259:0] sq_out;

dma_fifo #(
    .WIDTH(260),
    .DEPTH(SQ_DEPTH)
) u_slotq (
    .clk    (clk),
    .rst    (rst),
    .clr    (clr),
    .s_data (sq_in),
    .s_valid(slot_done || poison),
    .s_ready(sq_s_ready),
    .m_data (sq_out),
    .m_valid(slot_valid),
    .m_ready(slot_ready),
    .count  (sq_count)
);

assign slot_data = sq_out[255:0];
assign slot_resp = sq_out[257:256];
assign slot_err  = sq_out[259:258];
assign busy      = (inflight_q != 0);

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{m_r_last, asm_q[DATA_WIDTH-1:0]};  // slot count marks burst ends; asm_q shifts out
/* verilator lint_on UNUSEDSIGNAL */

always @(posedge clk) begin
    if (rst || clr) begin
        fptr_q     <= 16'd0;
        inflight_q <= {(SQW+1){1'b0}};
        stopped_q  <= 1'b0;
        bcnt_q     <= {BPSW{1'b0}};
        resp_q     <= 2'b00;
    end else begin
        if (ar_fire) begin
            fptr_q <= fptr_q + {8'd0, nf};
        end
        inflight_q <= inflight_q + (ar_fire ? nf[SQW:0] : {(SQW+1){1'b0}})
                                 - {{SQW{1'b0}}, slot_done};
        if (poison) begin
            stopped_q <= 1'b1;
        end
        if (r_fire) begin
            bcnt_q <= (bcnt_q == BPS_LAST) ? {BPSW{1'b0}} : bcnt_q + 1'b1;
            resp_q <= slot_done ? 2'b00 : resp_next;
        end
    end
    if (r_fire) begin
        asm_q <= asm_next;
    end
end

endmodule

`resetall
