// Descriptor decoder of one channel: takes slots from the fetcher in ring order, checks each
// descriptor (first slot, extension slots, then the address window of DST and of every source,
// one per cycle: docs/descriptor.md gives the order) and hands it to the mover when the
// completion queue has room. A failing check is reported as a fault of this descriptor (the next
// one the completion queue gets) with its code and address; the decoder then waits until the
// fault is taken (`stop`) and the channel is flushed.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_desc_decoder #(
    parameter integer ADDR_WIDTH   = 32,   // bus address bits: 32..64
    parameter integer MAX_XOR_SRCS = 8     // XOR sources per descriptor: 2..16
) (
    input  wire                           clk,
    input  wire                           rst,
    input  wire                           flush,       // the channel drained after an error

    input  wire                           go,          // may start a descriptor
    input  wire                           stop,        // an error is pending: abandon this one

    // configuration
    input  wire [63:0]                    ring_base,
    input  wire [3:0]                     log2_slots,
    input  wire [63:0]                    win_base,
    input  wire [63:0]                    win_limit,

    // slots from the fetcher
    input  wire [255:0]                   slot_data,
    input  wire [1:0]                     slot_err,    // 0 ok, 1 DESC_READ, 2 WINDOW
    input  wire [1:0]                     slot_resp,
    input  wire                           slot_valid,
    output reg                            slot_pop,

    input  wire                           queue_full,  // the completion queue

    // the descriptor for the mover
    output reg                            cmd_valid,
    input  wire                           cmd_ready,
    output reg  [3:0]                     cmd_op,
    output reg  [4:0]                     cmd_nsrc,
    output reg  [23:0]                    cmd_len,
    output wire [ADDR_WIDTH-1:0]          cmd_dst,
    output wire [MAX_XOR_SRCS*ADDR_WIDTH-1:0] cmd_src,
    output reg  [7:0]                     cmd_fill,
    output reg                            cmd_fence,
    // and for the completion queue
    output reg  [15:0]                    cmd_slot,    // slot count of its first slot
    output reg  [2:0]                     cmd_nslots,
    output reg                            cmd_int,

    // a failing check
    output reg                            fault,
    output reg  [7:0]                     fault_code,
    output reg  [1:0]                     fault_resp,
    output reg  [63:0]                    fault_addr,
    output reg                            fault_status_wr,  // the status word may be written

    output wire                           idle
);

`include "dma_desc.vh"
`include "dma_functions.vh"

localparam integer MS  = MAX_XOR_SRCS;
localparam integer MSW = $clog2(MS);

localparam [1:0] ST_IDLE = 2'd0, ST_EXT = 2'd1, ST_WINDOW = 2'd2, ST_DISPATCH = 2'd3;

reg  [1:0]       state_q, state_d;
reg  [3:0]       op_d;
reg              int_d, fence_d;
reg  [4:0]       nsrc_d;
reg  [7:0]       fill_d;
reg  [23:0]      len_d;
reg  [63:0]      dst_q, dst_d;
reg  [64*MS-1:0] src_q;                          // SRC0.. as written in the descriptor
reg  [2:0]       ext_left_q, ext_left_d;         // extension slots still to read
reg  [2:0]       ext_index_q, ext_index_d;       // the extension slot being read
reg  [2:0]       nslots_d;
reg  [4:0]       win_index_q, win_index_d;       // window check: DST and SRC0 at 0, SRCi at i
reg  [63:0]      first_slot_addr_q, first_slot_addr_d;
reg  [15:0]      slot_count_d;

// ---------------------------------------------------------------- the slot offered, checked
wire [3:0]  slot_op;
wire        slot_int, slot_fence;
wire [4:0]  slot_nsrc;
wire [7:0]  slot_fill;
wire [23:0] slot_len;
wire [63:0] slot_dst, slot_src0, slot_src1;
wire [2:0]  slot_ext_slots;
wire        slot_bad;                            // as a first slot
wire [7:0]  slot_bad_code;
wire        ext_bad;                             // as an extension slot

dma_desc_check #(
    .MAX_XOR_SRCS(MS)
) u_check (
    .slot     (slot_data),
    .op       (slot_op),
    .int_en   (slot_int),
    .fence    (slot_fence),
    .nsrc     (slot_nsrc),
    .fill     (slot_fill),
    .len      (slot_len),
    .dst      (slot_dst),
    .src0     (slot_src0),
    .src1     (slot_src1),
    .ext_slots(slot_ext_slots),
    .bad      (slot_bad),
    .bad_code (slot_bad_code),
    .ext_index(ext_index_q),
    .ext_nsrc (cmd_nsrc),
    .ext_bad  (ext_bad)
);

// ---------------------------------------------------------------- window checks
wire        uses_dst  = (cmd_op == DMA_OP_MEMCPY) || (cmd_op == DMA_OP_XOR) || (cmd_op == DMA_OP_FILL);
wire [4:0]  srcs_used = (cmd_op == DMA_OP_MEMCPY) ? 5'd1 :
                        (cmd_op == DMA_OP_XOR || cmd_op == DMA_OP_XOR_VAL) ? cmd_nsrc : 5'd0;
wire [63:0] win_src   = src_q[win_index_q[MSW-1:0]*64 +: 64];
wire        dst_fail  = (win_index_q == 0) && uses_dst &&
                        !win_ok({1'b0, dst_q}, cmd_len, win_base, win_limit, ADDR_WIDTH);
wire        src_fail  = (win_index_q < srcs_used) &&
                        !win_ok({1'b0, win_src}, cmd_len, win_base, win_limit, ADDR_WIDTH);
wire        win_last  = (win_index_q + 5'd1 >= srcs_used);

// the slots of the descriptor being decoded (ERR_ADDR holds their addresses modulo 2^64)
wire [64:0] first_slot_addr = slot_addr(ring_base, log2_slots, cmd_slot);
wire [64:0] ext_slot_addr   = slot_addr(ring_base, log2_slots,
                                        cmd_slot + 16'd1 + {13'd0, ext_index_q});

assign idle    = (state_q == ST_IDLE);
assign cmd_dst = dst_q[ADDR_WIDTH-1:0];

genvar gs;
generate
    for (gs = 0; gs < MS; gs = gs + 1) begin : gen_cmd_src
        assign cmd_src[gs*ADDR_WIDTH +: ADDR_WIDTH] = src_q[gs*64 +: ADDR_WIDTH];
    end
endgenerate

// ---------------------------------------------------------------- state machine
always @* begin
    state_d           = state_q;
    op_d              = cmd_op;
    int_d             = cmd_int;
    fence_d           = cmd_fence;
    nsrc_d            = cmd_nsrc;
    fill_d            = cmd_fill;
    len_d             = cmd_len;
    dst_d             = dst_q;
    ext_left_d        = ext_left_q;
    ext_index_d       = ext_index_q;
    nslots_d          = cmd_nslots;
    win_index_d       = win_index_q;
    first_slot_addr_d = first_slot_addr_q;
    slot_count_d      = cmd_slot;
    slot_pop          = 1'b0;
    cmd_valid         = 1'b0;
    fault             = 1'b0;
    fault_code        = DMA_ERR_BAD_OPCODE;
    fault_resp        = 2'b00;
    fault_addr        = first_slot_addr[63:0];
    fault_status_wr   = 1'b1;

    case (state_q)
        ST_IDLE: begin
            if (slot_valid && go) begin
                if (slot_err != 2'd0) begin
                    fault           = 1'b1;
                    fault_code      = (slot_err == 2'd1) ? DMA_ERR_DESC_READ : DMA_ERR_WINDOW;
                    fault_resp      = slot_resp;
                    fault_status_wr = 1'b0;
                end else if (slot_bad) begin
                    fault      = 1'b1;
                    fault_code = slot_bad_code;
                end else begin
                    slot_pop          = 1'b1;
                    op_d              = slot_op;
                    int_d             = slot_int;
                    fence_d           = slot_fence;
                    nsrc_d            = slot_nsrc;
                    fill_d            = slot_fill;
                    len_d             = slot_len;
                    dst_d             = slot_dst;
                    ext_left_d        = slot_ext_slots;
                    ext_index_d       = 3'd0;
                    nslots_d          = 3'd1 + slot_ext_slots;
                    win_index_d       = 5'd0;
                    first_slot_addr_d = first_slot_addr[63:0];
                    state_d           = (slot_ext_slots != 3'd0) ? ST_EXT :
                                        (slot_op == DMA_OP_INTERRUPT) ? ST_DISPATCH : ST_WINDOW;
                end
            end
        end
        ST_EXT: begin
            fault_addr = first_slot_addr_q;
            if (stop) begin
                state_d = ST_IDLE;
            end else if (slot_valid) begin
                if (slot_err != 2'd0) begin
                    fault      = 1'b1;
                    fault_code = (slot_err == 2'd1) ? DMA_ERR_DESC_READ : DMA_ERR_WINDOW;
                    fault_resp = slot_resp;
                    fault_addr = ext_slot_addr[63:0];
                end else if (ext_bad) begin
                    fault      = 1'b1;
                    fault_code = DMA_ERR_RESERVED;
                end else begin
                    slot_pop    = 1'b1;
                    ext_index_d = ext_index_q + 3'd1;
                    ext_left_d  = ext_left_q - 3'd1;
                    if (ext_left_q == 3'd1) state_d = ST_WINDOW;
                end
            end
        end
        ST_WINDOW: begin
            if (stop) begin
                state_d = ST_IDLE;
            end else if (dst_fail) begin
                fault      = 1'b1;
                fault_code = DMA_ERR_WINDOW;
                fault_addr = dst_q;
            end else if (src_fail) begin
                fault      = 1'b1;
                fault_code = DMA_ERR_WINDOW;
                fault_addr = win_src;
            end else if (win_last) begin
                // dispatch in the same cycle when the completion queue has room
                state_d = ST_DISPATCH;
                if (!queue_full) begin
                    cmd_valid = 1'b1;
                    if (cmd_ready) begin
                        slot_count_d = cmd_slot + {13'd0, cmd_nslots};
                        state_d      = ST_IDLE;
                    end
                end
            end else begin
                win_index_d = win_index_q + 5'd1;
            end
        end
        ST_DISPATCH: begin
            if (stop) begin
                state_d = ST_IDLE;
            end else if (!queue_full) begin
                cmd_valid = 1'b1;
                if (cmd_ready) begin
                    slot_count_d = cmd_slot + {13'd0, cmd_nslots};
                    state_d      = ST_IDLE;
                end
            end
        end
        default: state_d = ST_IDLE;
    endcase
end

// SRC0/SRC1 from the first slot, SRC2.. from extension slots (four per slot). One process that
// acts only when a slot is taken (a process per source would wake every clock).
integer k;
always @(posedge clk) begin
    if (slot_pop && state_q == ST_IDLE) begin
        src_q[0  +: 64] <= slot_src0;
        src_q[64 +: 64] <= slot_src1;
    end
    if (slot_pop && state_q == ST_EXT) begin
        for (k = 2; k < MS; k = k + 1) begin
            if ({29'd0, ext_index_q} == (k - 2) / 4) begin
                src_q[k*64 +: 64] <= slot_data[((k - 2) % 4)*64 +: 64];
            end
        end
    end
end

always @(posedge clk) begin
    if (rst || flush) begin
        state_q  <= ST_IDLE;
        cmd_slot <= 16'd0;
    end else begin
        state_q  <= state_d;
        cmd_slot <= slot_count_d;
    end
    // the descriptor's fields: no reset, loaded only when their next value can differ (a slot
    // is offered, extensions are read, windows checked; not while waiting to dispatch), which
    // keeps an idle or waiting channel cheap in an event-driven simulator
    if ((state_q == ST_IDLE && slot_valid) || state_q == ST_EXT || state_q == ST_WINDOW) begin
        cmd_op            <= op_d;
        cmd_int           <= int_d;
        cmd_fence         <= fence_d;
        cmd_nsrc          <= nsrc_d;
        cmd_fill          <= fill_d;
        cmd_len           <= len_d;
        dst_q             <= dst_d;
        ext_left_q        <= ext_left_d;
        ext_index_q       <= ext_index_d;
        cmd_nslots        <= nslots_d;
        win_index_q       <= win_index_d;
        first_slot_addr_q <= first_slot_addr_d;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{first_slot_addr[64], ext_slot_addr[64]};  // carries: the fetcher checks them
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
