// One DMA channel: the blocks between its registers and its two AXI requestors, and the few
// signals that join them. docs/descriptor.md is the behaviour they implement.
//
//   dma_chan_regs     software-visible registers, TAIL/CTRL requests
//   dma_fetch         ring prefetch (control requestor, read side)
//   dma_desc_decoder  descriptor checks (dma_desc_check), window checks, hand-over to the mover
//   dma_mover         data movement (data requestor)
//   dma_cmpl_queue    the descriptors handed to the mover, in ring order
//   dma_cmpl_writer   status words, completion records, HEAD (control requestor, write side)
//   dma_err_arb       of the faults of a cycle, the oldest descriptor's wins
//   dma_chan_stop     pending error, drain, HALTED, CTRL.RESET
//   dma_irq_coalesce  DONE interrupt coalescing
//
// Every descriptor handed to the mover gets a sequence number (dseq); the completion queue holds
// them in ring order and the mover reports them done in the same order. An error is tagged with
// the dseq of its descriptor and the oldest one wins. While an error is pending the channel
// issues nothing new for that descriptor or later ones, lets the older ones complete, waits until
// no bus transaction is outstanding, writes the faulting descriptor's status word when its slot
// is writable, and halts. So ERR_DESC is simply HEAD.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_chan #(
    parameter integer DATA_WIDTH    = 64,  // bus data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH    = 32,  // bus address bits: 32..64
    parameter integer MAX_XOR_SRCS  = 8,   // XOR sources per descriptor: 2..16
    parameter integer MAX_BURST_LEN = 16,  // beats per AXI burst (power of two)
    parameter integer BUF_BLOCKS    = 8,   // mover block buffers (latency tolerance)
    parameter integer RD_TRACK      = 16,  // mover read bursts outstanding
    parameter integer SQ_DEPTH      = 8    // prefetched descriptor slots
) (
    input  wire                    clk,
    input  wire                    rst,

    // register access from dma_csr (offsets inside this channel's block)
    input  wire                    reg_wr,
    input  wire [6:0]              reg_wr_addr,
    input  wire [31:0]             reg_wdata,
    input  wire [3:0]              reg_wstrb,
    input  wire [6:0]              reg_rd_addr,
    output wire [31:0]             reg_rdata,

    output wire                    irq,

    // control requestor: descriptor fetch (AR/R), status words and completion records (AW/W/B)
    output wire [ADDR_WIDTH-1:0]   m_ctrl_ar_addr,
    output wire [7:0]              m_ctrl_ar_len,
    output wire                    m_ctrl_ar_valid,
    input  wire                    m_ctrl_ar_ready,
    input  wire [DATA_WIDTH-1:0]   m_ctrl_r_data,
    input  wire [1:0]              m_ctrl_r_resp,
    input  wire                    m_ctrl_r_last,
    input  wire                    m_ctrl_r_valid,
    output wire                    m_ctrl_r_ready,
    output wire [ADDR_WIDTH-1:0]   m_ctrl_aw_addr,
    output wire [7:0]              m_ctrl_aw_len,
    output wire                    m_ctrl_aw_valid,
    input  wire                    m_ctrl_aw_ready,
    output wire [DATA_WIDTH-1:0]   m_ctrl_w_data,
    output wire [DATA_WIDTH/8-1:0] m_ctrl_w_strb,
    output wire                    m_ctrl_w_last,
    output wire                    m_ctrl_w_valid,
    input  wire                    m_ctrl_w_ready,
    input  wire [1:0]              m_ctrl_b_resp,
    input  wire                    m_ctrl_b_valid,
    output wire                    m_ctrl_b_ready,

    // data requestor (the mover)
    output wire [ADDR_WIDTH-1:0]   m_data_ar_addr,
    output wire [7:0]              m_data_ar_len,
    output wire                    m_data_ar_valid,
    input  wire                    m_data_ar_ready,
    input  wire [DATA_WIDTH-1:0]   m_data_r_data,
    input  wire [1:0]              m_data_r_resp,
    input  wire                    m_data_r_last,
    input  wire                    m_data_r_valid,
    output wire                    m_data_r_ready,
    output wire [ADDR_WIDTH-1:0]   m_data_aw_addr,
    output wire [7:0]              m_data_aw_len,
    output wire                    m_data_aw_valid,
    input  wire                    m_data_aw_ready,
    output wire [DATA_WIDTH-1:0]   m_data_w_data,
    output wire [DATA_WIDTH/8-1:0] m_data_w_strb,
    output wire                    m_data_w_last,
    output wire                    m_data_w_valid,
    input  wire                    m_data_w_ready,
    input  wire [1:0]              m_data_b_resp,
    input  wire                    m_data_b_valid,
    output wire                    m_data_b_ready
);

localparam integer MS         = MAX_XOR_SRCS;
localparam integer DSEQ_WIDTH = 4;         // the completion queue holds 2^(DSEQ_WIDTH-1)
localparam integer NSEQ       = 1 << DSEQ_WIDTH;

initial begin
    if (MS < 2 || MS > 16) begin
        $error("dma_chan: MAX_XOR_SRCS must be 2..16");
        $finish;
    end
end

// ---------------------------------------------------------------- registers
wire        abort_req, reset_req, tail_refused;
wire        enable, cmpl_wb_en;
wire [63:0] ring_base, cmpl_addr, win_base, win_limit;
wire [3:0]  log2_slots;
wire [15:0] tail, head;
wire [7:0]  coal_count;
wire [15:0] coal_timeout;
wire        cmpl_pop;
wire [15:0] cmpl_head_next;
wire        done_raise;
wire        err_report, chan_reset, halted, busy;
wire [7:0]  err_code;
wire [1:0]  err_resp;
wire [63:0] err_addr;

dma_chan_regs u_regs (
    .clk         (clk),
    .rst         (rst),
    .reg_wr      (reg_wr),
    .reg_wr_addr (reg_wr_addr),
    .reg_wdata   (reg_wdata),
    .reg_wstrb   (reg_wstrb),
    .reg_rd_addr (reg_rd_addr),
    .reg_rdata   (reg_rdata),
    .abort_req   (abort_req),
    .reset_req   (reset_req),
    .tail_refused(tail_refused),
    .enable      (enable),
    .cmpl_wb_en  (cmpl_wb_en),
    .ring_base   (ring_base),
    .log2_slots  (log2_slots),
    .tail        (tail),
    .cmpl_addr   (cmpl_addr),
    .win_base    (win_base),
    .win_limit   (win_limit),
    .coal_count  (coal_count),
    .coal_timeout(coal_timeout),
    .head        (head),
    .head_adv    (cmpl_pop),
    .head_next   (cmpl_head_next),
    .done_raise  (done_raise),
    .err_report  (err_report),
    .err_code    (err_code),
    .err_resp    (err_resp),
    .err_addr    (err_addr),
    .chan_reset  (chan_reset),
    .irq         (irq),
    .halted      (halted),
    .busy        (busy)
);

// ---------------------------------------------------------------- stop state
wire                  err_active, err_status_wr, reset_pend, drained, flush, halt;
wire [DSEQ_WIDTH-1:0] err_dseq;
wire [NSEQ-1:0]       stop_covers;
// fetching and decoding may go on: enabled, no error pending, not halted, no reset pending
wire                  run = enable && !err_active && !halted && !reset_pend;

// ---------------------------------------------------------------- fetch
wire [255:0] slot_data;
wire [1:0]   slot_err, slot_resp;
wire         slot_valid, slot_pop, fetch_busy;

dma_fetch #(
    .DATA_WIDTH   (DATA_WIDTH),
    .ADDR_WIDTH   (ADDR_WIDTH),
    .MAX_BURST_LEN(MAX_BURST_LEN),
    .SQ_DEPTH     (SQ_DEPTH)
) u_fetch (
    .clk        (clk),
    .rst        (rst),
    .clr        (flush),
    .en         (run),
    .ring_base  (ring_base),
    .log2_slots (log2_slots),
    .tail       (tail),
    .win_base   (win_base),
    .win_limit  (win_limit),
    .slot_data  (slot_data),
    .slot_err   (slot_err),
    .slot_resp  (slot_resp),
    .slot_valid (slot_valid),
    .slot_ready (slot_pop),
    .busy       (fetch_busy),
    .m_ar_addr  (m_ctrl_ar_addr),
    .m_ar_len   (m_ctrl_ar_len),
    .m_ar_valid (m_ctrl_ar_valid),
    .m_ar_ready (m_ctrl_ar_ready),
    .m_r_data   (m_ctrl_r_data),
    .m_r_resp   (m_ctrl_r_resp),
    .m_r_last   (m_ctrl_r_last),
    .m_r_valid  (m_ctrl_r_valid),
    .m_r_ready  (m_ctrl_r_ready)
);

// ---------------------------------------------------------------- decoder
wire                       cmd_valid, cmd_ready, cmd_fence, cmd_int;
wire [3:0]                 cmd_op;
wire [4:0]                 cmd_nsrc;
wire [23:0]                cmd_len;
wire [ADDR_WIDTH-1:0]      cmd_dst;
wire [MS*ADDR_WIDTH-1:0]   cmd_src;
wire [7:0]                 cmd_fill;
wire [15:0]                cmd_slot;
wire [2:0]                 cmd_nslots;
wire                       dec_fault, dec_status_wr, dec_idle;
wire [7:0]                 dec_code;
wire [1:0]                 dec_resp;
wire [63:0]                dec_addr;
wire                       queue_full;

dma_desc_decoder #(
    .ADDR_WIDTH  (ADDR_WIDTH),
    .MAX_XOR_SRCS(MS)
) u_decoder (
    .clk            (clk),
    .rst            (rst),
    .flush          (flush),
    .go             (run),
    .stop           (err_active),
    .ring_base      (ring_base),
    .log2_slots     (log2_slots),
    .win_base       (win_base),
    .win_limit      (win_limit),
    .slot_data      (slot_data),
    .slot_err       (slot_err),
    .slot_resp      (slot_resp),
    .slot_valid     (slot_valid),
    .slot_pop       (slot_pop),
    .queue_full     (queue_full),
    .cmd_valid      (cmd_valid),
    .cmd_ready      (cmd_ready),
    .cmd_op         (cmd_op),
    .cmd_nsrc       (cmd_nsrc),
    .cmd_len        (cmd_len),
    .cmd_dst        (cmd_dst),
    .cmd_src        (cmd_src),
    .cmd_fill       (cmd_fill),
    .cmd_fence      (cmd_fence),
    .cmd_slot       (cmd_slot),
    .cmd_nslots     (cmd_nslots),
    .cmd_int        (cmd_int),
    .fault          (dec_fault),
    .fault_code     (dec_code),
    .fault_resp     (dec_resp),
    .fault_addr     (dec_addr),
    .fault_status_wr(dec_status_wr),
    .idle           (dec_idle)
);

// ---------------------------------------------------------------- mover
wire                  mv_done_valid, mv_done_nz, mover_busy;
wire [DSEQ_WIDTH-1:0] mv_done_dseq;
wire                  mv_rd_fault, mv_wr_fault;
wire [1:0]            mv_rd_resp, mv_wr_resp;
wire [ADDR_WIDTH-1:0] mv_rd_addr, mv_wr_addr;
wire [DSEQ_WIDTH-1:0] mv_rd_dseq, mv_wr_dseq;
wire [DSEQ_WIDTH-1:0] push_dseq;

dma_mover #(
    .DATA_WIDTH   (DATA_WIDTH),
    .ADDR_WIDTH   (ADDR_WIDTH),
    .MAX_XOR_SRCS (MS),
    .MAX_BURST_LEN(MAX_BURST_LEN),
    .BUF_BLOCKS   (BUF_BLOCKS),
    .RD_TRACK     (RD_TRACK),
    .DSEQ_WIDTH   (DSEQ_WIDTH)
) u_mover (
    .clk         (clk),
    .rst         (rst),
    .flush       (flush),
    .cmd_valid   (cmd_valid),
    .cmd_ready   (cmd_ready),
    .cmd_op      (cmd_op),
    .cmd_nsrc    (cmd_nsrc),
    .cmd_len     (cmd_len),
    .cmd_dst     (cmd_dst),
    .cmd_src     (cmd_src),
    .cmd_fill    (cmd_fill),
    .cmd_fence   (cmd_fence),
    .cmd_dseq    (push_dseq),
    .stop        (err_active),
    .stop_covers (stop_covers),
    .done_valid  (mv_done_valid),
    .done_dseq   (mv_done_dseq),
    .done_nz     (mv_done_nz),
    .rerr_valid  (mv_rd_fault),
    .rerr_resp   (mv_rd_resp),
    .rerr_addr   (mv_rd_addr),
    .rerr_dseq   (mv_rd_dseq),
    .berr_valid  (mv_wr_fault),
    .berr_resp   (mv_wr_resp),
    .berr_addr   (mv_wr_addr),
    .berr_dseq   (mv_wr_dseq),
    .busy        (mover_busy),
    .m_ar_addr   (m_data_ar_addr),
    .m_ar_len    (m_data_ar_len),
    .m_ar_valid  (m_data_ar_valid),
    .m_ar_ready  (m_data_ar_ready),
    .m_r_data    (m_data_r_data),
    .m_r_resp    (m_data_r_resp),
    .m_r_last    (m_data_r_last),
    .m_r_valid   (m_data_r_valid),
    .m_r_ready   (m_data_r_ready),
    .m_aw_addr   (m_data_aw_addr),
    .m_aw_len    (m_data_aw_len),
    .m_aw_valid  (m_data_aw_valid),
    .m_aw_ready  (m_data_aw_ready),
    .m_w_data    (m_data_w_data),
    .m_w_strb    (m_data_w_strb),
    .m_w_last    (m_data_w_last),
    .m_w_valid   (m_data_w_valid),
    .m_w_ready   (m_data_w_ready),
    .m_b_resp    (m_data_b_resp),
    .m_b_valid   (m_data_b_valid),
    .m_b_ready   (m_data_b_ready)
);

// ---------------------------------------------------------------- completion queue
wire                  queue_empty, head_done, head_stopped, head_int, head_nz;
wire [DSEQ_WIDTH-1:0] head_dseq, unfinished_dseq;
wire [15:0]           head_slot;
wire [2:0]            head_nslots;

dma_cmpl_queue #(
    .DSEQ_WIDTH(DSEQ_WIDTH)
) u_queue (
    .clk            (clk),
    .rst            (rst),
    .flush          (flush),
    .push           (cmd_valid && cmd_ready),
    .push_slot      (cmd_slot),
    .push_nslots    (cmd_nslots),
    .push_int       (cmd_int),
    .push_dseq      (push_dseq),
    .full           (queue_full),
    .done_valid     (mv_done_valid),
    .done_dseq      (mv_done_dseq),
    .done_nz        (mv_done_nz),
    .unfinished_dseq(unfinished_dseq),
    .stop           (err_active),
    .stop_covers    (stop_covers),
    .head_dseq      (head_dseq),
    .empty          (queue_empty),
    .head_done      (head_done),
    .head_stopped   (head_stopped),
    .head_slot      (head_slot),
    .head_nslots    (head_nslots),
    .head_int       (head_int),
    .head_nz        (head_nz),
    .pop            (cmpl_pop)
);

// ---------------------------------------------------------------- completion writer
wire        writer_idle, writer_locked, completed_int;
wire        cmpl_fault, cmpl_status_wr;
wire [7:0]  cmpl_code;
wire [1:0]  cmpl_resp;
wire [63:0] cmpl_fault_addr;

dma_cmpl_writer #(
    .DATA_WIDTH(DATA_WIDTH),
    .ADDR_WIDTH(ADDR_WIDTH)
) u_writer (
    .clk            (clk),
    .rst            (rst),
    .flush          (flush),
    .ring_base      (ring_base),
    .log2_slots     (log2_slots),
    .cmpl_wb_en     (cmpl_wb_en),
    .cmpl_addr      (cmpl_addr),
    .win_base       (win_base),
    .win_limit      (win_limit),
    .head           (head),
    .head_ready     (head_done && !head_stopped),
    .head_slot      (head_slot),
    .head_nslots    (head_nslots),
    .head_int       (head_int),
    .head_nz        (head_nz),
    .pop            (cmpl_pop),
    .head_next      (cmpl_head_next),
    .completed_int  (completed_int),
    .drained        (drained),
    .err_status_wr  (err_status_wr && !reset_pend),
    .err_code       (err_code),
    .halt           (halt),
    .idle           (writer_idle),
    .locked         (writer_locked),
    .fault          (cmpl_fault),
    .fault_code     (cmpl_code),
    .fault_resp     (cmpl_resp),
    .fault_addr     (cmpl_fault_addr),
    .fault_status_wr(cmpl_status_wr),
    .m_aw_addr      (m_ctrl_aw_addr),
    .m_aw_len       (m_ctrl_aw_len),
    .m_aw_valid     (m_ctrl_aw_valid),
    .m_aw_ready     (m_ctrl_aw_ready),
    .m_w_data       (m_ctrl_w_data),
    .m_w_strb       (m_ctrl_w_strb),
    .m_w_last       (m_ctrl_w_last),
    .m_w_valid      (m_ctrl_w_valid),
    .m_w_ready      (m_ctrl_w_ready),
    .m_b_resp       (m_ctrl_b_resp),
    .m_b_valid      (m_ctrl_b_valid),
    .m_b_ready      (m_ctrl_b_ready)
);

// ---------------------------------------------------------------- errors
wire                  take, take_status_wr;
wire [DSEQ_WIDTH-1:0] take_dseq;
wire [7:0]            take_code;
wire [1:0]            take_resp;
wire [63:0]           take_addr;

dma_err_arb #(
    .ADDR_WIDTH(ADDR_WIDTH),
    .DSEQ_WIDTH(DSEQ_WIDTH)
) u_err_arb (
    .head_dseq      (head_dseq),
    .push_dseq      (push_dseq),
    .unfinished_dseq(unfinished_dseq),
    .halted         (halted),
    .locked         (writer_locked),
    .err_active     (err_active),
    .err_dseq       (err_dseq),
    .cmpl_fault     (cmpl_fault),
    .cmpl_code      (cmpl_code),
    .cmpl_resp      (cmpl_resp),
    .cmpl_addr      (cmpl_fault_addr),
    .cmpl_status_wr (cmpl_status_wr),
    .wr_fault       (mv_wr_fault),
    .wr_resp        (mv_wr_resp),
    .wr_addr        (mv_wr_addr),
    .wr_dseq        (mv_wr_dseq),
    .rd_fault       (mv_rd_fault),
    .rd_resp        (mv_rd_resp),
    .rd_addr        (mv_rd_addr),
    .rd_dseq        (mv_rd_dseq),
    .dec_fault      (dec_fault),
    .dec_code       (dec_code),
    .dec_resp       (dec_resp),
    .dec_addr       (dec_addr),
    .dec_status_wr  (dec_status_wr),
    .abort_req      (abort_req),
    .reset_req      (reset_req),
    .tail_refused   (tail_refused),
    .take           (take),
    .dseq           (take_dseq),
    .code           (take_code),
    .resp           (take_resp),
    .addr           (take_addr),
    .status_wr      (take_status_wr)
);

dma_chan_stop #(
    .DSEQ_WIDTH(DSEQ_WIDTH)
) u_stop (
    .clk               (clk),
    .rst               (rst),
    .take              (take),
    .take_dseq         (take_dseq),
    .take_code         (take_code),
    .take_resp         (take_resp),
    .take_addr         (take_addr),
    .take_status_wr    (take_status_wr),
    .err_active        (err_active),
    .err_dseq          (err_dseq),
    .stop_covers       (stop_covers),
    .err_code          (err_code),
    .err_resp          (err_resp),
    .err_addr          (err_addr),
    .err_status_wr     (err_status_wr),
    .writer_idle       (writer_idle),
    .mover_busy        (mover_busy),
    .fetch_busy        (fetch_busy),
    .queue_empty       (queue_empty),
    .queue_head_stopped(head_stopped),
    .drained           (drained),
    .halt              (halt),
    .reset_req         (reset_req),
    .reset_pend        (reset_pend),
    .halted            (halted),
    .err_report        (err_report),
    .chan_reset        (chan_reset),
    .flush             (flush)
);

// ---------------------------------------------------------------- interrupts, STATUS.BUSY
dma_irq_coalesce u_coalesce (
    .clk      (clk),
    .rst      (rst),
    .clr      (chan_reset),
    .count    (coal_count),
    .timeout  (coal_timeout),
    .completed(completed_int),
    .raise    (done_raise)
);

assign busy = ((head != tail) && enable && !halted) || err_active || reset_pend ||
              !queue_empty || mover_busy || fetch_busy || !dec_idle || !writer_idle;

endmodule

`resetall
