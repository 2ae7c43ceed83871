// One DMA channel: its registers, ring prefetch, descriptor decode and validation, window checks,
// in-order completion (status word, HEAD, completion record), interrupt coalescing, error
// capture, abort/reset and ENABLE pause. Data movement is done by its dma_mover.
//
// Every descriptor handed to the mover gets a sequence number (dseq). The completion queue (DCQ)
// holds the decoded descriptors in ring order; the mover reports them done in the same order.
// An error is tagged with the dseq of the descriptor it belongs to; the oldest error wins. While
// an error is pending the channel issues nothing new for that descriptor or later ones, lets
// the older ones complete, waits until no bus transaction is outstanding, writes the faulting
// descriptor's status word when its slot is writable, and halts. So ERR_DESC is simply HEAD.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_chan #(
    parameter integer DATA_WIDTH    = 64,
    parameter integer ADDR_WIDTH    = 32,
    parameter integer MAX_XOR_SRCS  = 8,
    parameter integer MAX_BURST_LEN = 16,
    parameter integer BUF_BLOCKS    = 8,
    parameter integer RD_TRACK      = 16,
    parameter integer SQ_DEPTH      = 8
) (
    input  wire                   clk,
    input  wire                   rst,

    // register access from dma_csr (offsets inside this channel's block)
    input  wire                   reg_wr,
    input  wire [6:0]             reg_wr_addr,
    input  wire [31:0]            reg_wdata,
    input  wire [3:0]             reg_wstrb,
    input  wire [6:0]             reg_rd_addr,
    output reg  [31:0]            reg_rdata,

    output wire                   irq,

    // control requestor: descriptor fetch (AR/R), status and completion record (AW/W/B)
    output wire [ADDR_WIDTH-1:0]  c_ar_addr,
    output wire [7:0]             c_ar_len,
    output wire                   c_ar_valid,
    input  wire                   c_ar_ready,
    input  wire [DATA_WIDTH-1:0]  c_r_data,
    input  wire [1:0]             c_r_resp,
    input  wire                   c_r_last,
    input  wire                   c_r_valid,
    output wire                   c_r_ready,
    output reg  [ADDR_WIDTH-1:0]  c_aw_addr,
    output reg  [7:0]             c_aw_len,
    output wire                   c_aw_valid,
    input  wire                   c_aw_ready,
    output reg  [DATA_WIDTH-1:0]  c_w_data,
    output reg  [DATA_WIDTH/8-1:0] c_w_strb,
    output wire                   c_w_last,
    output wire                   c_w_valid,
    input  wire                   c_w_ready,
    input  wire [1:0]             c_b_resp,
    input  wire                   c_b_valid,
    output wire                   c_b_ready,

    // data requestor (the mover)
    output wire [ADDR_WIDTH-1:0]  d_ar_addr,
    output wire [7:0]             d_ar_len,
    output wire                   d_ar_valid,
    input  wire                   d_ar_ready,
    input  wire [DATA_WIDTH-1:0]  d_r_data,
    input  wire [1:0]             d_r_resp,
    input  wire                   d_r_last,
    input  wire                   d_r_valid,
    output wire                   d_r_ready,
    output wire [ADDR_WIDTH-1:0]  d_aw_addr,
    output wire [7:0]             d_aw_len,
    output wire                   d_aw_valid,
    input  wire                   d_aw_ready,
    output wire [DATA_WIDTH-1:0]  d_w_data,
    output wire [DATA_WIDTH/8-1:0] d_w_strb,
    output wire                   d_w_last,
    output wire                   d_w_valid,
    input  wire                   d_w_ready,
    input  wire [1:0]             d_b_resp,
    input  wire                   d_b_valid,
    output wire                   d_b_ready
);

`include "dma_regs.vh"
`include "dma_desc.vh"

localparam integer DB   = DATA_WIDTH / 8;
localparam integer LB   = $clog2(DB);
localparam integer DSW  = 4;                 // dseq width
localparam integer DQ   = 1 << (DSW - 1);    // completion queue depth
localparam integer MS   = MAX_XOR_SRCS;
localparam integer MSW  = $clog2(MS);

// descriptor format (dma_desc.vh, generated from rtl/dma_desc.toml)
localparam [3:0] OP_MEMCPY = DMA_OP_MEMCPY, OP_XOR = DMA_OP_XOR, OP_XORVAL = DMA_OP_XOR_VAL,
                 OP_FILL = DMA_OP_FILL, OP_INT = DMA_OP_INTERRUPT;

localparam [7:0] E_BAD_OPCODE = DMA_ERR_BAD_OPCODE, E_BAD_LENGTH = DMA_ERR_BAD_LENGTH,
                 E_BAD_NSRC = DMA_ERR_BAD_NSRC, E_RESERVED = DMA_ERR_RESERVED,
                 E_WINDOW = DMA_ERR_WINDOW, E_TAIL_OVERFLOW = DMA_ERR_TAIL_OVERFLOW,
                 E_DESC_READ = DMA_ERR_DESC_READ, E_DATA_READ = DMA_ERR_DATA_READ,
                 E_DATA_WRITE = DMA_ERR_DATA_WRITE, E_STATUS_WRITE = DMA_ERR_STATUS_WRITE,
                 E_ABORTED = DMA_ERR_ABORTED;

localparam [31:0] ST_DONE  = 32'd1 << DMA_STATUS_DONE_LSB;
localparam [31:0] ST_ERROR = 32'd1 << DMA_STATUS_ERROR_LSB;

initial begin
    if (MS < 2 || MS > 16) begin
        $error("dma_chan: MAX_XOR_SRCS must be 2..16");
        $finish;
    end
end

function seq_ge;
    input [DSW-1:0] a;
    input [DSW-1:0] b;
    reg   [DSW-1:0] d;
    begin
        d = a - b;
        seq_ge = !d[DSW-1];
    end
endfunction

// [a, a + len - 1] inside [wb, wl] and inside the ADDR_WIDTH address space (no wrap)
function win_ok;
    input [63:0] a;
    input [23:0] len;
    input [63:0] wb;
    input [63:0] wl;
    reg   [64:0] last;
    begin
        last   = {1'b0, a} + {41'd0, len} - 65'd1;
        win_ok = (a >= wb) && (last[63:0] <= wl) && (last[64:ADDR_WIDTH] == 0);
    end
endfunction

// ============================================================================ registers
reg         enable_q, cmpl_wb_en_q;
reg  [63:0] ring_base_q;
reg  [3:0]  log2_slots_q;
reg  [15:0] tail_q, head_q;
reg  [63:0] cmpl_addr_q, win_base_q, win_limit_q;
reg  [1:0]  int_cause_q, int_enable_q;
reg  [7:0]  coal_count_q;
reg  [15:0] coal_timeout_q;
reg         halted_q;
reg  [7:0]  err_code_reg_q;
reg  [1:0]  err_resp_reg_q;
reg  [15:0] err_desc_q;
reg  [63:0] err_addr_reg_q;

wire [31:0] wmask = {{8{reg_wstrb[3]}}, {8{reg_wstrb[2]}}, {8{reg_wstrb[1]}}, {8{reg_wstrb[0]}}};
wire [31:0] wbits = reg_wdata & wmask;
function [31:0] merge;
    input [31:0] old;
    input [31:0] wd;
    input [31:0] m;
    begin
        merge = (old & ~m) | (wd & m);
    end
endfunction

wire wr_ctrl   = reg_wr && (reg_wr_addr == DMA_CH_CTRL);
wire wr_tail   = reg_wr && (reg_wr_addr == DMA_CH_TAIL);
wire wr_cause  = reg_wr && (reg_wr_addr == DMA_CH_INT_CAUSE);
wire abort_req = wr_ctrl && wbits[1];
wire reset_req = wr_ctrl && wbits[2];
wire [31:0] tail_m   = merge({16'd0, tail_q}, reg_wdata, wmask);
wire [15:0] tail_new = tail_m[15:0];
wire [16:0] ring_slots = 17'd1 << log2_slots_q;
wire [15:0] tail_out   = tail_new - head_q;
wire tail_ovf = wr_tail && ({1'b0, tail_out} > ring_slots);

// ============================================================================ sub-blocks
reg              err_active_q;
reg  [DSW-1:0]   err_dseq_q;
reg              reset_pend_q;
reg              flush;                 // drained: clear fetcher, mover, queues

wire [255:0]     slot_data;
wire [1:0]       slot_err, slot_resp;
wire             slot_valid;
reg              slot_pop;
wire             fetch_busy;

dma_fetch #(
    .DATA_WIDTH   (DATA_WIDTH),
    .ADDR_WIDTH   (ADDR_WIDTH),
    .MAX_BURST_LEN(MAX_BURST_LEN),
    .SQ_DEPTH     (SQ_DEPTH)
) u_fetch (
    .clk        (clk),
    .rst        (rst),
    .clr        (flush),
    .en         (enable_q && !err_active_q && !halted_q && !reset_pend_q),
    .ring_base  (ring_base_q),
    .log2_slots (log2_slots_q),
    .tail       (tail_q),
    .win_base   (win_base_q),
    .win_limit  (win_limit_q),
    .slot_data  (slot_data),
    .slot_err   (slot_err),
    .slot_resp  (slot_resp),
    .slot_valid (slot_valid),
    .slot_ready (slot_pop),
    .busy       (fetch_busy),
    .m_ar_addr  (c_ar_addr),
    .m_ar_len   (c_ar_len),
    .m_ar_valid (c_ar_valid),
    .m_ar_ready (c_ar_ready),
    .m_r_data   (c_r_data),
    .m_r_resp   (c_r_resp),
    .m_r_last   (c_r_last),
    .m_r_valid  (c_r_valid),
    .m_r_ready  (c_r_ready)
);

// mover command (from the decoder)
reg                   cmd_valid;
wire                  cmd_ready;
reg  [3:0]            dec_op_q, dec_op_d;
reg                   dec_int_q, dec_int_d;
reg                   dec_fence_q, dec_fence_d;
reg  [4:0]            dec_nsrc_q, dec_nsrc_d;
reg  [7:0]            dec_fill_q, dec_fill_d;
reg  [23:0]           dec_len_q, dec_len_d;
reg  [63:0]           dec_dst_q, dec_dst_d;
reg  [64*MS-1:0]      dec_src_q;
reg  [2:0]            dec_next_q, dec_next_d;   // extension slots still to read
reg  [2:0]            dec_e_q, dec_e_d;         // extension slot index
reg  [2:0]            dec_nslots_q, dec_nslots_d;
reg  [4:0]            dec_wi_q, dec_wi_d;       // window-check index
reg  [63:0]           dec_sa_q, dec_sa_d;       // first slot's address
reg  [DSW-1:0]        next_dseq_q, next_dseq_d;
reg  [15:0]           dptr_q, dptr_d;           // slot count of the next descriptor to decode

wire [MS*ADDR_WIDTH-1:0] cmd_src;
genvar gs;
generate
    for (gs = 0; gs < MS; gs = gs + 1) begin : gen_cmd_src
        assign cmd_src[gs*ADDR_WIDTH +: ADDR_WIDTH] = dec_src_q[gs*64 +: ADDR_WIDTH];
    end
endgenerate

wire                  mv_done_valid;
wire [DSW-1:0]        mv_done_dseq;
wire                  mv_done_nz;
wire                  mv_rerr_valid, mv_berr_valid;
wire [1:0]            mv_rerr_resp, mv_berr_resp;
wire [ADDR_WIDTH-1:0] mv_rerr_addr, mv_berr_addr;
wire [DSW-1:0]        mv_rerr_dseq, mv_berr_dseq;
wire                  mover_busy;

dma_mover #(
    .DATA_WIDTH   (DATA_WIDTH),
    .ADDR_WIDTH   (ADDR_WIDTH),
    .MAX_XOR_SRCS (MS),
    .MAX_BURST_LEN(MAX_BURST_LEN),
    .BUF_BLOCKS   (BUF_BLOCKS),
    .RD_TRACK     (RD_TRACK),
    .DSEQ_WIDTH   (DSW)
) u_mover (
    .clk        (clk),
    .rst        (rst),
    .flush      (flush),
    .cmd_valid  (cmd_valid),
    .cmd_ready  (cmd_ready),
    .cmd_op     (dec_op_q),
    .cmd_nsrc   (dec_nsrc_q),
    .cmd_len    (dec_len_q),
    .cmd_dst    (dec_dst_q[ADDR_WIDTH-1:0]),
    .cmd_src    (cmd_src),
    .cmd_fill   (dec_fill_q),
    .cmd_fence  (dec_fence_q),
    .cmd_dseq   (next_dseq_q),
    .stop       (err_active_q),
    .stop_dseq  (err_dseq_q),
    .done_valid (mv_done_valid),
    .done_dseq  (mv_done_dseq),
    .done_nz    (mv_done_nz),
    .rerr_valid (mv_rerr_valid),
    .rerr_resp  (mv_rerr_resp),
    .rerr_addr  (mv_rerr_addr),
    .rerr_dseq  (mv_rerr_dseq),
    .berr_valid (mv_berr_valid),
    .berr_resp  (mv_berr_resp),
    .berr_addr  (mv_berr_addr),
    .berr_dseq  (mv_berr_dseq),
    .busy       (mover_busy),
    .m_ar_addr  (d_ar_addr),
    .m_ar_len   (d_ar_len),
    .m_ar_valid (d_ar_valid),
    .m_ar_ready (d_ar_ready),
    .m_r_data   (d_r_data),
    .m_r_resp   (d_r_resp),
    .m_r_last   (d_r_last),
    .m_r_valid  (d_r_valid),
    .m_r_ready  (d_r_ready),
    .m_aw_addr  (d_aw_addr),
    .m_aw_len   (d_aw_len),
    .m_aw_valid (d_aw_valid),
    .m_aw_ready (d_aw_ready),
    .m_w_data   (d_w_data),
    .m_w_strb   (d_w_strb),
    .m_w_last   (d_w_last),
    .m_w_valid  (d_w_valid),
    .m_w_ready  (d_w_ready),
    .m_b_resp   (d_b_resp),
    .m_b_valid  (d_b_valid),
    .m_b_ready  (d_b_ready)
);

// ============================================================================ completion queue
reg  [15:0]    dq_slot_q   [0:DQ-1];
reg  [2:0]     dq_nslots_q [0:DQ-1];
reg  [DQ-1:0]  dq_int_q, dq_done_q, dq_nz_q;
reg  [DSW-1:0] dq_head_q, dq_head_d;
reg  [DSW-1:0] done_ptr_q;                      // dseq of the next descriptor the mover finishes
wire [DSW-1:0] dq_count = next_dseq_q - dq_head_q;
localparam [DSW-1:0] DQ_N = DQ[DSW-1:0];
wire           dq_full  = (dq_count == DQ_N);
wire [DSW-2:0] dq_hi    = dq_head_q[DSW-2:0];
wire           dq_head_done = (dq_count != 0) && dq_done_q[dq_hi];

function [63:0] slot_addr;
    input [63:0] base;
    input [3:0]  log2n;
    input [15:0] idx;
    reg   [15:0] m;
    begin
        m = idx & ((16'd1 << log2n) - 16'd1);
        slot_addr = base + {43'd0, m, 5'b0};  // RING_BASE bits 4:0 are always 0
    end
endfunction

// ============================================================================ decoder
localparam [1:0] D_IDLE = 2'd0, D_EXT = 2'd1, D_WIN = 2'd2, D_DISP = 2'd3;
reg  [1:0] dec_state_q, dec_state_d;

reg        dec_err;
reg  [7:0] dec_err_code;
reg  [1:0] dec_err_resp;
reg  [63:0] dec_err_addr;
reg        dec_err_wst;

wire [31:0] s_ctrl = slot_data[DMA_SLOT_CTRL_LSB +: DMA_SLOT_CTRL_W];
wire [31:0] s_len  = slot_data[DMA_SLOT_LEN_LSB +: DMA_SLOT_LEN_W];
wire [63:0] s_dst  = slot_data[DMA_SLOT_DST_LSB +: DMA_SLOT_DST_W];
wire [63:0] s_src0 = slot_data[DMA_SLOT_SRC0_LSB +: DMA_SLOT_SRC0_W];
wire [63:0] s_src1 = slot_data[DMA_SLOT_SRC1_LSB +: DMA_SLOT_SRC1_W];
wire [3:0]  s_op   = s_ctrl[DMA_CTRL_OP_LSB +: DMA_CTRL_OP_W];
wire [4:0]  s_nsrc = s_ctrl[DMA_CTRL_NSRC_LSB +: DMA_CTRL_NSRC_W];
wire [7:0]  s_fill = s_ctrl[DMA_CTRL_FILL_VAL_LSB +: DMA_CTRL_FILL_VAL_W];
wire        s_xor  = (s_op == OP_XOR) || (s_op == OP_XORVAL);
wire        s_op_ok = (s_op >= OP_MEMCPY) && (s_op <= OP_INT);
wire        s_len_bad = (s_op == OP_INT) ? (s_len != 32'd0)
                                         : ((s_len[31:DMA_LEN_W] != 0) || (s_len[DMA_LEN_W-1:0] == 0));
localparam [4:0] MS_N = MS[4:0];
wire        s_nsrc_bad = s_xor && ((s_nsrc < 5'd2) || (s_nsrc > MS_N));
reg         s_rsv;
always @* begin
    s_rsv = (s_ctrl & ~DMA_CTRL_DEFINED) != 32'd0;
    case (s_op)
        OP_MEMCPY: s_rsv = s_rsv || (s_nsrc != 5'd0) || (s_fill != 8'd0) || (s_src1 != 64'd0);
        OP_XOR:    s_rsv = s_rsv || (s_fill != 8'd0);
        OP_XORVAL: s_rsv = s_rsv || (s_fill != 8'd0) || (s_dst != 64'd0);
        OP_FILL:   s_rsv = s_rsv || (s_nsrc != 5'd0) || (s_src0 != 64'd0) || (s_src1 != 64'd0);
        default:   s_rsv = s_rsv || (s_nsrc != 5'd0) || (s_fill != 8'd0) || (s_dst != 64'd0)
                                 || (s_src0 != 64'd0) || (s_src1 != 64'd0);
    endcase
end
wire [4:0] s_next = (s_xor && s_nsrc > 5'd2) ? ((s_nsrc + 5'd1) >> 2) : 5'd0;  // ceil((n-2)/4)

// extension slot: entries past SRC(NSRC-1) must be 0
reg ext_rsv;
integer ei;
always @* begin
    ext_rsv = 1'b0;
    for (ei = 0; ei < 4; ei = ei + 1) begin
        if ((5'd2 + {dec_e_q, 2'b00} + ei[4:0]) >= dec_nsrc_q && slot_data[ei*64 +: 64] != 64'd0) begin
            ext_rsv = 1'b1;
        end
    end
end

// window checks: DST (first step) and one source per step
wire        uses_dst  = (dec_op_q == OP_MEMCPY) || (dec_op_q == OP_XOR) || (dec_op_q == OP_FILL);
wire [4:0]  srcs_used = (dec_op_q == OP_MEMCPY) ? 5'd1 :
                        (dec_op_q == OP_XOR || dec_op_q == OP_XORVAL) ? dec_nsrc_q : 5'd0;
wire [63:0] wsrc      = dec_src_q[dec_wi_q[MSW-1:0]*64 +: 64];
wire        dst_fail  = (dec_wi_q == 0) && uses_dst && !win_ok(dec_dst_q, dec_len_q, win_base_q, win_limit_q);
wire        src_fail  = (dec_wi_q < srcs_used) && !win_ok(wsrc, dec_len_q, win_base_q, win_limit_q);
wire        win_last  = (dec_wi_q + 5'd1 >= srcs_used);

wire        dec_go = enable_q && !err_active_q && !halted_q && !reset_pend_q;

always @* begin
    dec_state_d  = dec_state_q;
    dec_op_d     = dec_op_q;
    dec_int_d    = dec_int_q;
    dec_fence_d  = dec_fence_q;
    dec_nsrc_d   = dec_nsrc_q;
    dec_fill_d   = dec_fill_q;
    dec_len_d    = dec_len_q;
    dec_dst_d    = dec_dst_q;
    dec_next_d   = dec_next_q;
    dec_e_d      = dec_e_q;
    dec_nslots_d = dec_nslots_q;
    dec_wi_d     = dec_wi_q;
    dec_sa_d     = dec_sa_q;
    next_dseq_d  = next_dseq_q;
    dptr_d       = dptr_q;
    slot_pop     = 1'b0;
    cmd_valid    = 1'b0;
    dec_err      = 1'b0;
    dec_err_code = E_BAD_OPCODE;
    dec_err_resp = 2'b00;
    dec_err_addr = slot_addr(ring_base_q, log2_slots_q, dptr_q);
    dec_err_wst  = 1'b1;

    case (dec_state_q)
        D_IDLE: begin
            if (slot_valid && dec_go) begin
                if (slot_err != 2'd0) begin
                    dec_err      = 1'b1;
                    dec_err_code = (slot_err == 2'd1) ? E_DESC_READ : E_WINDOW;
                    dec_err_resp = slot_resp;
                    dec_err_wst  = 1'b0;
                end else if (!s_op_ok) begin
                    dec_err      = 1'b1;
                    dec_err_code = E_BAD_OPCODE;
                end else if (s_len_bad) begin
                    dec_err      = 1'b1;
                    dec_err_code = E_BAD_LENGTH;
                end else if (s_nsrc_bad) begin
                    dec_err      = 1'b1;
                    dec_err_code = E_BAD_NSRC;
                end else if (s_rsv) begin
                    dec_err      = 1'b1;
                    dec_err_code = E_RESERVED;
                end else begin
                    slot_pop     = 1'b1;
                    dec_op_d     = s_op;
                    dec_int_d    = s_ctrl[DMA_CTRL_INT_EN_LSB];
                    dec_fence_d  = s_ctrl[DMA_CTRL_FENCE_LSB];
                    dec_nsrc_d   = s_nsrc;
                    dec_fill_d   = s_fill;
                    dec_len_d    = s_len[DMA_LEN_W-1:0];
                    dec_dst_d    = s_dst;
                    dec_next_d   = s_next[2:0];
                    dec_e_d      = 3'd0;
                    dec_nslots_d = 3'd1 + s_next[2:0];
                    dec_wi_d     = 5'd0;
                    dec_sa_d     = slot_addr(ring_base_q, log2_slots_q, dptr_q);
                    dec_state_d  = (s_next != 5'd0) ? D_EXT :
                                   (s_op == OP_INT) ? D_DISP : D_WIN;
                end
            end
        end
        D_EXT: begin
            dec_err_addr = dec_sa_q;
            if (err_active_q) begin
                dec_state_d = D_IDLE;
            end else if (slot_valid) begin
                if (slot_err != 2'd0) begin
                    dec_err      = 1'b1;
                    dec_err_code = (slot_err == 2'd1) ? E_DESC_READ : E_WINDOW;
                    dec_err_resp = slot_resp;
                    dec_err_addr = slot_addr(ring_base_q, log2_slots_q, dptr_q + 16'd1 + {13'd0, dec_e_q});
                end else if (ext_rsv) begin
                    dec_err      = 1'b1;
                    dec_err_code = E_RESERVED;
                end else begin
                    slot_pop   = 1'b1;
                    dec_e_d    = dec_e_q + 3'd1;
                    dec_next_d = dec_next_q - 3'd1;
                    if (dec_next_q == 3'd1) dec_state_d = D_WIN;
                end
            end
        end
        D_WIN: begin
            if (err_active_q) begin
                dec_state_d = D_IDLE;
            end else if (dst_fail) begin
                dec_err      = 1'b1;
                dec_err_code = E_WINDOW;
                dec_err_addr = dec_dst_q;
            end else if (src_fail) begin
                dec_err      = 1'b1;
                dec_err_code = E_WINDOW;
                dec_err_addr = wsrc;
            end else if (win_last) begin
                // dispatch in the same cycle when the completion queue has room
                dec_state_d = D_DISP;
                if (!dq_full) begin
                    cmd_valid = 1'b1;
                    if (cmd_ready) begin
                        next_dseq_d = next_dseq_q + 1'b1;
                        dptr_d      = dptr_q + {13'd0, dec_nslots_q};
                        dec_state_d = D_IDLE;
                    end
                end
            end else begin
                dec_wi_d = dec_wi_q + 5'd1;
            end
        end
        D_DISP: begin
            if (err_active_q) begin
                dec_state_d = D_IDLE;
            end else if (!dq_full) begin
                cmd_valid = 1'b1;
                if (cmd_ready) begin
                    next_dseq_d = next_dseq_q + 1'b1;
                    dptr_d      = dptr_q + {13'd0, dec_nslots_q};
                    dec_state_d = D_IDLE;
                end
            end
        end
        default: dec_state_d = D_IDLE;
    endcase
end

// sources: SRC0/SRC1 from the first slot, SRC2.. from extension slots (four per slot). One
// process that acts only when a slot is taken (a process per source would wake every clock).
integer gk;
always @(posedge clk) begin
    if (slot_pop && dec_state_q == D_IDLE) begin
        dec_src_q[0  +: 64] <= s_src0;
        dec_src_q[64 +: 64] <= s_src1;
    end
    if (slot_pop && dec_state_q == D_EXT) begin
        for (gk = 2; gk < MS; gk = gk + 1) begin
            if ({29'd0, dec_e_q} == (gk - 2) / 4) begin
                dec_src_q[gk*64 +: 64] <= slot_data[((gk - 2) % 4)*64 +: 64];
            end
        end
    end
end

// ============================================================================ completion engine
localparam [2:0] C_IDLE = 3'd0, C_SW = 3'd1, C_SB = 3'd2, C_RW = 3'd3, C_RB = 3'd4,
                 C_FIN = 3'd5, C_EW = 3'd6, C_EB = 3'd7;
reg  [2:0]  c_state_q, c_state_d;
reg         c_aw_done_q, c_aw_done_d;
reg         c_w_done_q, c_w_done_d;
reg         c_beat_q, c_beat_d;
reg  [31:0] c_status_q, c_status_d;
reg  [63:0] c_saddr_q, c_saddr_d;
reg  [15:0] c_newhead_q, c_newhead_d;
reg         c_int_q, c_int_d;

reg         cmp_err;
reg  [7:0]  cmp_err_code;
reg  [63:0] cmp_err_addr;
reg         cmp_err_wst;
reg         head_adv;
reg         coal_event;
reg         halt_now;

reg  [7:0]  err_code_q;
reg  [1:0]  err_resp_q;
reg  [63:0] err_addr_q;
reg         err_wst_q;

// the head descriptor is the faulting one or later (a wire: the block below re-runs often)
wire head_stopped = err_active_q && seq_ge(dq_head_q, err_dseq_q);
wire drained = err_active_q && (c_state_q == C_IDLE) && !mover_busy && !fetch_busy &&
               ((dq_count == 0) || head_stopped);
wire cmpl_ok = !cmpl_wb_en_q || win_ok(cmpl_addr_q, 24'd8, win_base_q, win_limit_q);
wire [63:0] rec_data = {c_status_q, 16'd0, c_newhead_q};
wire        c_two_beats = (DB == 4);

assign c_aw_valid = (c_state_q == C_SW || c_state_q == C_RW || c_state_q == C_EW) && !c_aw_done_q;
assign c_w_valid  = (c_state_q == C_SW || c_state_q == C_RW || c_state_q == C_EW) && !c_w_done_q;
assign c_w_last   = !(c_state_q == C_RW && c_two_beats && !c_beat_q);
assign c_b_ready  = (c_state_q == C_SB || c_state_q == C_RB || c_state_q == C_EB);
wire   c_aw_fire  = c_aw_valid && c_aw_ready;
wire   c_w_fire   = c_w_valid && c_w_ready;

localparam [ADDR_WIDTH-1:0] BEAT_MASK = {{(ADDR_WIDTH-LB){1'b1}}, {LB{1'b0}}};
wire [127:0] stat_rep = {4{c_status_q}};
wire [127:0] rec_rep  = {2{rec_data}};
wire [127:0] half_rep = {4{c_beat_q ? rec_data[63:32] : rec_data[31:0]}};
wire [31:0]  rec_strb = 32'hFF << cmpl_addr_q[LB-1:0];
wire [31:0]  stat_strb = 32'h0000_000F;
always @* begin
    c_aw_addr = c_saddr_q[ADDR_WIDTH-1:0];
    c_aw_len  = 8'd0;
    c_w_data  = stat_rep[DATA_WIDTH-1:0];
    c_w_strb  = stat_strb[DB-1:0];
    if (c_state_q == C_RW) begin
        if (c_two_beats) begin
            // 32-bit bus: the 8-byte record is two beats
            c_aw_addr = cmpl_addr_q[ADDR_WIDTH-1:0];
            c_aw_len  = 8'd1;
            c_w_data  = half_rep[DATA_WIDTH-1:0];
            c_w_strb  = {DB{1'b1}};
        end else begin
            c_aw_addr = cmpl_addr_q[ADDR_WIDTH-1:0] & BEAT_MASK;
            c_w_data  = rec_rep[DATA_WIDTH-1:0];
            c_w_strb  = rec_strb[DB-1:0];
        end
    end
end

always @* begin
    c_state_d   = c_state_q;
    c_aw_done_d = c_aw_done_q || c_aw_fire;
    c_w_done_d  = c_w_done_q;
    c_beat_d    = c_beat_q;
    c_status_d  = c_status_q;
    c_saddr_d   = c_saddr_q;
    c_newhead_d = c_newhead_q;
    c_int_d     = c_int_q;
    dq_head_d   = dq_head_q;
    cmp_err      = 1'b0;
    cmp_err_code = E_STATUS_WRITE;
    cmp_err_addr = c_saddr_q;
    cmp_err_wst  = 1'b0;
    head_adv     = 1'b0;
    coal_event   = 1'b0;
    halt_now     = 1'b0;
    if (c_w_fire) begin
        if (c_w_last) c_w_done_d = 1'b1;
        c_beat_d = !c_beat_q;
    end

    case (c_state_q)
        C_IDLE: begin
            c_aw_done_d = 1'b0;
            c_w_done_d  = 1'b0;
            c_beat_d    = 1'b0;
            if (drained) begin
                if (err_wst_q && !reset_pend_q) begin
                    c_saddr_d  = slot_addr(ring_base_q, log2_slots_q, head_q);
                    c_status_d = ST_DONE | ST_ERROR | ({24'd0, err_code_q} << DMA_STATUS_CODE_LSB);
                    c_state_d  = C_EW;
                end else begin
                    halt_now = 1'b1;
                end
            end else if (dq_head_done && !head_stopped) begin
                if (!cmpl_ok) begin
                    cmp_err      = 1'b1;
                    cmp_err_code = E_WINDOW;
                    cmp_err_addr = cmpl_addr_q;
                    cmp_err_wst  = 1'b1;
                end else begin
                    c_saddr_d   = slot_addr(ring_base_q, log2_slots_q, dq_slot_q[dq_hi]);
                    c_status_d  = ST_DONE | ({31'd0, dq_nz_q[dq_hi]} << DMA_STATUS_XOR_NONZERO_LSB);
                    c_newhead_d = dq_slot_q[dq_hi] + {13'd0, dq_nslots_q[dq_hi]};
                    c_int_d     = dq_int_q[dq_hi];
                    c_state_d   = C_SW;
                end
            end
        end
        C_SW, C_RW, C_EW: begin
            if (c_aw_done_d && c_w_done_d) begin
                c_state_d = (c_state_q == C_SW) ? C_SB : (c_state_q == C_RW) ? C_RB : C_EB;
            end
        end
        C_SB: begin
            if (c_b_valid) begin
                c_aw_done_d = 1'b0;
                c_w_done_d  = 1'b0;
                c_beat_d    = 1'b0;
                if (c_b_resp[1]) begin
                    cmp_err   = 1'b1;
                    c_state_d = C_IDLE;
                end else begin
                    c_state_d = cmpl_wb_en_q ? C_RW : C_FIN;
                end
            end
        end
        C_RB: begin
            if (c_b_valid) begin
                if (c_b_resp[1]) begin
                    cmp_err      = 1'b1;
                    cmp_err_addr = cmpl_addr_q;
                    cmp_err_wst  = 1'b1;
                    c_state_d    = C_IDLE;
                end else begin
                    c_state_d = C_FIN;
                end
            end
        end
        C_FIN: begin
            head_adv   = 1'b1;
            coal_event = c_int_q;
            dq_head_d  = dq_head_q + 1'b1;
            c_state_d  = C_IDLE;
        end
        C_EB: begin
            if (c_b_valid) begin
                halt_now  = 1'b1;
                c_state_d = C_IDLE;
            end
        end
        default: c_state_d = C_IDLE;
    endcase
end

// ============================================================================ error capture
// candidates, oldest descriptor first (ties: first listed)
reg            ne_valid;
reg  [DSW-1:0] ne_dseq;
reg  [7:0]     ne_code;
reg  [1:0]     ne_resp;
reg  [63:0]    ne_addr;
reg            ne_wst;
wire           ext_stop = (abort_req || reset_req || tail_ovf) && !halted_q;

// Age of a descriptor: its distance from the completion queue head (a smaller age is older).
// Plain wires rather than a function called in the block below: that block re-runs on every
// read beat (it reads the read-error address), and a function call is costly in simulation.
wire [DSW-1:0] age_berr = mv_berr_dseq - dq_head_q;
wire [DSW-1:0] age_rerr = mv_rerr_dseq - dq_head_q;
wire [DSW-1:0] age_dec  = next_dseq_q - dq_head_q;
wire [DSW-1:0] age_ext  = done_ptr_q - dq_head_q;
wire [DSW-1:0] age_err  = err_dseq_q - dq_head_q;
reg  [DSW-1:0] ne_age;

always @* begin
    ne_valid = cmp_err;
    ne_dseq  = dq_head_q;
    ne_age   = {DSW{1'b0}};
    ne_code  = cmp_err_code;
    ne_resp  = (cmp_err_code == E_STATUS_WRITE) ? c_b_resp : 2'b00;
    ne_addr  = cmp_err_addr;
    ne_wst   = cmp_err_wst;
    if (mv_berr_valid && (!ne_valid || age_berr < ne_age)) begin
        ne_valid = 1'b1;
        ne_dseq  = mv_berr_dseq;
        ne_age   = age_berr;
        ne_code  = E_DATA_WRITE;
        ne_resp  = mv_berr_resp;
        ne_addr  = {{(64-ADDR_WIDTH){1'b0}}, mv_berr_addr};
        ne_wst   = 1'b1;
    end
    if (mv_rerr_valid && (!ne_valid || age_rerr < ne_age)) begin
        ne_valid = 1'b1;
        ne_dseq  = mv_rerr_dseq;
        ne_age   = age_rerr;
        ne_code  = E_DATA_READ;
        ne_resp  = mv_rerr_resp;
        ne_addr  = {{(64-ADDR_WIDTH){1'b0}}, mv_rerr_addr};
        ne_wst   = 1'b1;
    end
    if (dec_err && (!ne_valid || age_dec < ne_age)) begin
        ne_valid = 1'b1;
        ne_dseq  = next_dseq_q;
        ne_age   = age_dec;
        ne_code  = dec_err_code;
        ne_resp  = dec_err_resp;
        ne_addr  = dec_err_addr;
        ne_wst   = dec_err_wst;
    end
    if (ext_stop && (!ne_valid || age_ext < ne_age)) begin
        ne_valid = 1'b1;
        ne_dseq  = done_ptr_q;
        ne_age   = age_ext;
        ne_code  = tail_ovf ? E_TAIL_OVERFLOW : E_ABORTED;
        ne_resp  = 2'b00;
        ne_addr  = 64'd0;
        ne_wst   = 1'b0;
    end
end

wire err_locked = (c_state_q == C_EW) || (c_state_q == C_EB);
wire take_err   = ne_valid && !halted_q && !err_locked &&
                  (!err_active_q || ne_age < age_err);

// ============================================================================ interrupt coalescing
reg  [7:0]  coal_cnt_q;
reg  [15:0] coal_timer_q;
reg         coal_run_q;
reg         done_raise;
always @* begin
    done_raise = 1'b0;
    if (coal_event && ({1'b0, coal_cnt_q} + 9'd1 >= ((coal_count_q == 8'd0) ? 9'd1 : {1'b0, coal_count_q}))) begin
        done_raise = 1'b1;
    end
    if (coal_run_q && coal_timer_q == 16'd1) begin
        done_raise = 1'b1;
    end
end

assign irq = |(int_cause_q & int_enable_q);

// ============================================================================ state update
always @* begin
    flush = halt_now || (reset_req && halted_q);
end

wire do_reset = (halt_now && reset_pend_q) || (reset_req && halted_q);
// a descriptor reported done by the mover, unless an error at or before it is pending
wire mv_done_mark = mv_done_valid && !(err_active_q && seq_ge(mv_done_dseq, err_dseq_q));

always @(posedge clk) begin
    if (rst) begin
        enable_q       <= 1'b0;
        cmpl_wb_en_q   <= 1'b0;
        ring_base_q    <= 64'd0;
        log2_slots_q   <= 4'd4;
        tail_q         <= 16'd0;
        head_q         <= 16'd0;
        cmpl_addr_q    <= 64'd0;
        win_base_q     <= 64'd0;
        win_limit_q    <= {64{1'b1}};
        int_cause_q    <= 2'b00;
        int_enable_q   <= 2'b00;
        coal_count_q   <= 8'd0;
        coal_timeout_q <= 16'd0;
        halted_q       <= 1'b0;
        err_code_reg_q <= 8'd0;
        err_resp_reg_q <= 2'd0;
        err_desc_q     <= 16'd0;
        err_addr_reg_q <= 64'd0;
        err_active_q   <= 1'b0;
        err_dseq_q     <= {DSW{1'b0}};
        err_code_q     <= 8'd0;
        err_resp_q     <= 2'd0;
        err_addr_q     <= 64'd0;
        err_wst_q      <= 1'b0;
        reset_pend_q   <= 1'b0;
        dec_state_q    <= D_IDLE;
        next_dseq_q    <= {DSW{1'b0}};
        dptr_q         <= 16'd0;
        dq_head_q      <= {DSW{1'b0}};
        done_ptr_q     <= {DSW{1'b0}};
        dq_done_q      <= {DQ{1'b0}};
        c_state_q      <= C_IDLE;
        c_aw_done_q    <= 1'b0;
        c_w_done_q     <= 1'b0;
        c_beat_q       <= 1'b0;
        coal_cnt_q     <= 8'd0;
        coal_timer_q   <= 16'd0;
        coal_run_q     <= 1'b0;
    end else begin
        // ---- software writes
        if (reg_wr) begin
            case (reg_wr_addr)
                DMA_CH_CTRL: begin
                    if (reg_wstrb[0]) begin
                        enable_q     <= reg_wdata[0];
                        cmpl_wb_en_q <= reg_wdata[3];
                    end
                end
                DMA_CH_RING_BASE_LO: ring_base_q[31:0]  <= merge(ring_base_q[31:0], reg_wdata, wmask) & 32'hFFFF_FFE0;
                DMA_CH_RING_BASE_HI: ring_base_q[63:32] <= merge(ring_base_q[63:32], reg_wdata, wmask);
                DMA_CH_RING_SIZE:    if (reg_wstrb[0]) log2_slots_q <= reg_wdata[3:0];
                DMA_CH_TAIL:         tail_q <= tail_new;
                DMA_CH_CMPL_ADDR_LO: cmpl_addr_q[31:0]  <= merge(cmpl_addr_q[31:0], reg_wdata, wmask) & 32'hFFFF_FFF8;
                DMA_CH_CMPL_ADDR_HI: cmpl_addr_q[63:32] <= merge(cmpl_addr_q[63:32], reg_wdata, wmask);
                DMA_CH_WIN_BASE_LO:  win_base_q[31:0]   <= merge(win_base_q[31:0], reg_wdata, wmask);
                DMA_CH_WIN_BASE_HI:  win_base_q[63:32]  <= merge(win_base_q[63:32], reg_wdata, wmask);
                DMA_CH_WIN_LIMIT_LO: win_limit_q[31:0]  <= merge(win_limit_q[31:0], reg_wdata, wmask);
                DMA_CH_WIN_LIMIT_HI: win_limit_q[63:32] <= merge(win_limit_q[63:32], reg_wdata, wmask);
                DMA_CH_INT_ENABLE:   if (reg_wstrb[0]) int_enable_q <= reg_wdata[1:0];
                DMA_CH_COALESCE: begin
                    if (reg_wstrb[0]) coal_count_q         <= reg_wdata[7:0];
                    if (reg_wstrb[2]) coal_timeout_q[7:0]  <= reg_wdata[23:16];
                    if (reg_wstrb[3]) coal_timeout_q[15:8] <= reg_wdata[31:24];
                end
                default: ;
            endcase
        end

        // ---- interrupt cause: hardware set wins over a clear in the same cycle
        int_cause_q <= (int_cause_q & ~(wr_cause ? wbits[1:0] : 2'b00))
                     | {halt_now && !reset_pend_q, done_raise};

        // ---- coalescing counters
        if (done_raise) begin
            coal_cnt_q <= 8'd0;
            coal_run_q <= 1'b0;
        end else begin
            if (coal_event) begin
                coal_cnt_q <= coal_cnt_q + 8'd1;
                if (!coal_run_q && coal_timeout_q != 16'd0) begin
                    coal_run_q   <= 1'b1;
                    coal_timer_q <= coal_timeout_q;
                end
            end
            if (coal_run_q) begin
                coal_timer_q <= coal_timer_q - 16'd1;
            end
        end

        // ---- pipeline state
        dec_state_q <= dec_state_d;
        next_dseq_q <= next_dseq_d;
        dptr_q      <= dptr_d;
        dq_head_q   <= dq_head_d;
        c_state_q   <= c_state_d;
        c_aw_done_q <= c_aw_done_d;
        c_w_done_q  <= c_w_done_d;
        c_beat_q    <= c_beat_d;
        if (head_adv) head_q <= c_newhead_q;
        if (mv_done_valid) done_ptr_q <= mv_done_dseq + 1'b1;
        if (cmd_valid && cmd_ready) begin
            dq_done_q[next_dseq_q[DSW-2:0]] <= 1'b0;
        end
        if (mv_done_mark) begin
            dq_done_q[mv_done_dseq[DSW-2:0]] <= 1'b1;
        end

        // ---- errors
        if (take_err) begin
            err_active_q <= 1'b1;
            err_dseq_q   <= ne_dseq;
            err_code_q   <= ne_code;
            err_resp_q   <= ne_resp;
            err_addr_q   <= ne_addr;
            err_wst_q    <= ne_wst;
        end
        if (reset_req && !halted_q) begin
            reset_pend_q <= 1'b1;
        end
        if (halt_now) begin
            err_active_q <= 1'b0;
            if (!reset_pend_q) begin
                halted_q       <= 1'b1;
                err_code_reg_q <= err_code_q;
                err_resp_reg_q <= err_resp_q;
                err_desc_q     <= head_q;
                err_addr_reg_q <= err_addr_q;
            end
        end
        if (flush) begin
            dec_state_q <= D_IDLE;
            c_state_q   <= C_IDLE;
            next_dseq_q <= {DSW{1'b0}};
            dq_head_q   <= {DSW{1'b0}};
            done_ptr_q  <= {DSW{1'b0}};
            dq_done_q   <= {DQ{1'b0}};
            dptr_q      <= 16'd0;
        end
        if (do_reset) begin
            reset_pend_q   <= 1'b0;
            halted_q       <= 1'b0;
            head_q         <= 16'd0;
            tail_q         <= 16'd0;
            dptr_q         <= 16'd0;
            int_cause_q    <= 2'b00;
            err_code_reg_q <= 8'd0;
            err_resp_reg_q <= 2'd0;
            err_desc_q     <= 16'd0;
            err_addr_reg_q <= 64'd0;
            coal_cnt_q     <= 8'd0;
            coal_run_q     <= 1'b0;
        end
    end

    // datapath registers without reset, loaded only when their next value can differ (the
    // decoder is offered a slot or is reading extensions / checking windows, not while it waits
    // to dispatch; the completion engine is starting a write): this keeps an idle or waiting
    // channel cheap in an event-driven simulator
    if ((dec_state_q == D_IDLE && slot_valid) || dec_state_q == D_EXT || dec_state_q == D_WIN) begin
        dec_op_q     <= dec_op_d;
        dec_int_q    <= dec_int_d;
        dec_fence_q  <= dec_fence_d;
        dec_nsrc_q   <= dec_nsrc_d;
        dec_fill_q   <= dec_fill_d;
        dec_len_q    <= dec_len_d;
        dec_dst_q    <= dec_dst_d;
        dec_next_q   <= dec_next_d;
        dec_e_q      <= dec_e_d;
        dec_nslots_q <= dec_nslots_d;
        dec_wi_q     <= dec_wi_d;
        dec_sa_q     <= dec_sa_d;
    end
    if (c_state_q == C_IDLE && (drained || dq_head_done)) begin
        c_status_q   <= c_status_d;
        c_saddr_q    <= c_saddr_d;
        c_newhead_q  <= c_newhead_d;
        c_int_q      <= c_int_d;
    end
    if (cmd_valid && cmd_ready) begin
        dq_slot_q[next_dseq_q[DSW-2:0]]   <= dptr_q;
        dq_nslots_q[next_dseq_q[DSW-2:0]] <= dec_nslots_q;
        dq_int_q[next_dseq_q[DSW-2:0]]    <= dec_int_q;
    end
    if (mv_done_valid) begin
        dq_nz_q[mv_done_dseq[DSW-2:0]] <= mv_done_nz;
    end
end

// ============================================================================ register read
wire busy = ((head_q != tail_q) && enable_q && !halted_q) || err_active_q || reset_pend_q ||
            (dq_count != 0) || mover_busy || fetch_busy ||
            (dec_state_q != D_IDLE) || (c_state_q != C_IDLE);

always @* begin
    case (reg_rd_addr)
        DMA_CH_CTRL:         reg_rdata = {28'd0, cmpl_wb_en_q, 2'b00, enable_q};
        DMA_CH_STATUS:       reg_rdata = {30'd0, halted_q, busy};
        DMA_CH_RING_BASE_LO: reg_rdata = {ring_base_q[31:5], 5'd0};
        DMA_CH_RING_BASE_HI: reg_rdata = ring_base_q[63:32];
        DMA_CH_RING_SIZE:    reg_rdata = {28'd0, log2_slots_q};
        DMA_CH_TAIL:         reg_rdata = {16'd0, tail_q};
        DMA_CH_HEAD:         reg_rdata = {16'd0, head_q};
        DMA_CH_CMPL_ADDR_LO: reg_rdata = {cmpl_addr_q[31:3], 3'd0};
        DMA_CH_CMPL_ADDR_HI: reg_rdata = cmpl_addr_q[63:32];
        DMA_CH_WIN_BASE_LO:  reg_rdata = win_base_q[31:0];
        DMA_CH_WIN_BASE_HI:  reg_rdata = win_base_q[63:32];
        DMA_CH_WIN_LIMIT_LO: reg_rdata = win_limit_q[31:0];
        DMA_CH_WIN_LIMIT_HI: reg_rdata = win_limit_q[63:32];
        DMA_CH_INT_CAUSE:    reg_rdata = {30'd0, int_cause_q};
        DMA_CH_INT_ENABLE:   reg_rdata = {30'd0, int_enable_q};
        DMA_CH_COALESCE:     reg_rdata = {coal_timeout_q, 8'd0, coal_count_q};
        DMA_CH_ERR_CODE:     reg_rdata = {22'd0, err_resp_reg_q, err_code_reg_q};
        DMA_CH_ERR_DESC:     reg_rdata = {16'd0, err_desc_q};
        DMA_CH_ERR_ADDR_LO:  reg_rdata = err_addr_reg_q[31:0];
        DMA_CH_ERR_ADDR_HI:  reg_rdata = err_addr_reg_q[63:32];
        default:             reg_rdata = 32'd0;
    endcase
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{wbits[31:3], tail_m[31:16], stat_rep, rec_rep, half_rep,
                   rec_strb, stat_strb};  // wide intermediates, only the low part is used
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
