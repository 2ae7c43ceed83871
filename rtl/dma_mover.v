// Per-channel data mover: executes MEMCPY, XOR, XOR_VAL, FILL and INTERRUPT commands.
//
// The destination is cut into chunks at destination block boundaries (a block is MAX_BURST_LEN
// beats, so a chunk is one write burst and never crosses 4 KiB). A ring of BUF_BLOCKS block
// buffers, indexed by destination word, holds the chunks between reading and writing:
//
//  * reader: for chunk k it reads, source after source, the source bytes that chunk needs, in
//    source-aligned bursts that stop at source block boundaries (so every source beat is read
//    exactly once and no burst crosses 4 KiB). A beat is rotated to the destination alignment
//    and XORed byte-exactly into the one or two buffer words it covers; the buffer is all-zero
//    before a chunk starts, so MEMCPY (one source) is the same path as XOR. A burst may run past
//    chunk k into chunk k + 1's block ("spill"), so a chunk starts only when two blocks are free.
//    Several bursts are outstanding (RD_TRACK), which hides read latency.
//  * a chunk is writable when every read burst issued up to its end has returned (in-order
//    responses on the channel's ID): the AW issuer runs ahead of the W engine, so the next
//    burst's address is on the bus while the current one's data streams; each buffer word is
//    cleared as its beat is sent. XOR_VAL chunks are checked for zero instead of written, FILL
//    chunks write the fill byte, an INTERRUPT is a marker that only keeps completion order.
//  * write responses are tracked in order; a descriptor is done when the response of its last
//    chunk has arrived.
//
// In-place XOR (DST equal to a source) is safe: a chunk is written only after all of its bytes
// of every source have been received. Error handling: `stop` makes the reader abandon the
// descriptors `stop_covers` marks and turns their pending chunks into no-ops (bursts already
// announced on AW are completed with WSTRB 0), while older descriptors finish; `flush` clears
// everything once the channel has drained.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_mover #(
    parameter integer DATA_WIDTH    = 64,  // bus data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH    = 32,  // bus address bits: 32..64
    parameter integer MAX_XOR_SRCS  = 8,   // XOR sources per descriptor: 2..16
    parameter integer MAX_BURST_LEN = 16,  // beats per burst and per buffer block (power of two)
    parameter integer BUF_BLOCKS    = 8,   // block buffers (power of two >= 4): latency tolerance
    parameter integer RD_TRACK      = 16,  // read bursts outstanding (<= 64)
    parameter integer DSEQ_WIDTH    = 4    // descriptor sequence number bits
) (
    input  wire                           clk,
    input  wire                           rst,
    input  wire                           flush,

    // command (one descriptor, already validated)
    input  wire                           cmd_valid,
    output wire                           cmd_ready,
    input  wire [3:0]                     cmd_op,
    input  wire [4:0]                     cmd_nsrc,
    input  wire [23:0]                    cmd_len,
    input  wire [ADDR_WIDTH-1:0]          cmd_dst,
    input  wire [MAX_XOR_SRCS*ADDR_WIDTH-1:0] cmd_src,
    input  wire [7:0]                     cmd_fill,
    input  wire                           cmd_fence,
    input  wire [DSEQ_WIDTH-1:0]          cmd_dseq,

    // error stop from the channel: the descriptors stop_covers marks are abandoned
    input  wire                           stop,
    input  wire [(1<<DSEQ_WIDTH)-1:0]     stop_covers,  // bit n: dseq n is at or after the fault

    // in-order descriptor completion (data side)
    output wire                           done_valid,
    output wire [DSEQ_WIDTH-1:0]          done_dseq,
    output wire                           done_nz,

    // bus errors
    output wire                           rerr_valid,
    output wire [1:0]                     rerr_resp,
    output wire [ADDR_WIDTH-1:0]          rerr_addr,
    output wire [DSEQ_WIDTH-1:0]          rerr_dseq,
    output wire                           berr_valid,
    output wire [1:0]                     berr_resp,
    output wire [ADDR_WIDTH-1:0]          berr_addr,
    output wire [DSEQ_WIDTH-1:0]          berr_dseq,

    output wire                           busy,

    // AXI requestor port (see dma_axi_arb)
    output wire [ADDR_WIDTH-1:0]          m_ar_addr,
    output wire [7:0]                     m_ar_len,
    output wire                           m_ar_valid,
    input  wire                           m_ar_ready,
    input  wire [DATA_WIDTH-1:0]          m_r_data,
    input  wire [1:0]                     m_r_resp,
    input  wire                           m_r_last,
    input  wire                           m_r_valid,
    output wire                           m_r_ready,
    output wire [ADDR_WIDTH-1:0]          m_aw_addr,
    output wire [7:0]                     m_aw_len,
    output wire                           m_aw_valid,
    input  wire                           m_aw_ready,
    output wire [DATA_WIDTH-1:0]          m_w_data,
    output wire [DATA_WIDTH/8-1:0]        m_w_strb,
    output wire                           m_w_last,
    output wire                           m_w_valid,
    input  wire                           m_w_ready,
    input  wire [1:0]                     m_b_resp,
    input  wire                           m_b_valid,
    output wire                           m_b_ready
);

localparam integer DB     = DATA_WIDTH / 8;
localparam integer LB     = $clog2(DB);
localparam integer BB     = MAX_BURST_LEN;            // beats per block
localparam integer BBW    = $clog2(BB);
localparam integer BLK_SH = LB + BBW;                 // log2 of block bytes
localparam integer NBLK   = BUF_BLOCKS;
localparam integer NBW    = $clog2(NBLK);
localparam integer NW     = NBLK * BB;                // buffer words
localparam integer NWW    = NBW + BBW;
localparam integer PW     = LB + NWW;                 // byte position inside the buffer ring
localparam integer XW     = ADDR_WIDTH + 1;           // addresses with a carry bit
localparam integer SW     = $clog2(MAX_XOR_SRCS);
localparam integer RCW    = 8;                        // read-burst sequence counters
localparam integer BT_DEPTH = 8;

`include "dma_desc.vh"

// XOR: the default path
localparam [3:0] OP_MEMCPY = DMA_OP_MEMCPY, OP_XORVAL = DMA_OP_XOR_VAL, OP_FILL = DMA_OP_FILL,
                 OP_INT = DMA_OP_INTERRUPT;
localparam [1:0] CT_DATA = 2'd0, CT_FILL = 2'd1, CT_CHECK = 2'd2, CT_MARK = 2'd3;

initial begin
    if (DB != 4 && DB != 8 && DB != 16) begin
        $error("dma_mover: DATA_WIDTH must be 32, 64 or 128");
        $finish;
    end
    if (BB < 2 || BB > 256 || (1 << BBW) != BB || (BB * DB) > 4096) begin
        $error("dma_mover: MAX_BURST_LEN must be a power of two, 2..256, bursts <= 4 KiB");
        $finish;
    end
    if (NBLK < 4 || (1 << NBW) != NBLK) begin
        $error("dma_mover: BUF_BLOCKS must be a power of two >= 4");
        $finish;
    end
    if (RD_TRACK > 64) begin
        $error("dma_mover: RD_TRACK must be <= 64");
        $finish;
    end
end

// all read bursts up to sequence number thr have returned
function rd_ready;
    input [RCW-1:0] thr;
    input [RCW-1:0] done_cnt;
    reg   [RCW-1:0] d;
    begin
        d = thr - done_cnt;
        rd_ready = (d == {RCW{1'b0}}) || d[RCW-1];
    end
endfunction

localparam [XW-1:0] DBM1  = {{(XW-LB){1'b0}}, {LB{1'b1}}};
localparam [XW-1:0] BLKM1 = {{(XW-BLK_SH){1'b0}}, {BLK_SH{1'b1}}};
localparam integer  CQ_LIM_I = NBLK - 2;
localparam [NBW:0]  CQ_LIM = CQ_LIM_I[NBW:0];

// ============================================================================ reader
localparam [2:0] RD_IDLE = 3'd0, RD_FENCE = 3'd1, RD_CHUNK = 3'd2, RD_SRC = 3'd3,
                 RD_BURST = 3'd4, RD_PUSH = 3'd5;

reg [2:0]                         rd_state_q, rd_state_d;
reg [3:0]                         op_q, op_d;
reg [4:0]                         nsrc_q, nsrc_d;
reg [23:0]                        len_q, len_d;
reg [ADDR_WIDTH-1:0]              dst_q, dst_d;
reg [MAX_XOR_SRCS*ADDR_WIDTH-1:0] src_q, src_d;
reg [7:0]                         fill_q, fill_d;
reg [DSEQ_WIDTH-1:0]              dseq_q, dseq_d;
reg [23:0]                        chunk_off_q, chunk_off_d;  // start of the chunk being read:
                                                             // destination bytes already pushed
reg [23:0]                        chunk_end_q, chunk_end_d;  // end of the chunk being read
reg [SW:0]                        src_idx_q, src_idx_d;      // source being read
reg [XW-1:0]                      rd_addr_q, rd_addr_d;      // next source beat address to read
reg [XW-1:0]                      rd_need_q, rd_need_d;      // source bytes below this are needed
reg [XW-1:0]                      src_end_q, src_end_d;      // aligned end of the source
reg [XW-1:0]                      src_base_q, src_base_d;    // source start address
reg [LB-1:0]                      src_last_lane_q, src_last_lane_d;  // last lane of its last beat
reg [PW-1:0]                      dst_buf_pos_q, dst_buf_pos_d;  // buffer position of DST's block
reg [RCW-1:0]                     rd_iss_q, rd_iss_d;
reg [RCW-1:0]                     rd_done_q, rd_done_d;

// chunk queue (one entry per buffer block; entry index == block index)
reg [1:0]             cq_type_q [0:NBLK-1];
reg [ADDR_WIDTH-1:0]  cq_addr_q [0:NBLK-1];
reg [BBW-1:0]         cq_nb_q   [0:NBLK-1];      // beats - 1
reg [LB-1:0]          cq_lo_q   [0:NBLK-1];
reg [LB-1:0]          cq_hi_q   [0:NBLK-1];
reg [RCW-1:0]         cq_thr_q  [0:NBLK-1];
reg                   cq_last_q [0:NBLK-1];
reg                   cq_first_q[0:NBLK-1];      // first chunk of its descriptor
reg [DSEQ_WIDTH-1:0]  cq_dseq_q [0:NBLK-1];
reg [7:0]             cq_fill_q [0:NBLK-1];
reg [NBW:0]           cq_wr_q, cq_rd_q, cq_aw_q;
reg [NBW:0]           cq_rd_d, cq_aw_d;

wire [NBW:0] cq_count = cq_wr_q - cq_rd_q;
wire [NBW-1:0] cq_wi  = cq_wr_q[NBW-1:0];

// read tracking FIFO
localparam integer RT_W = LB + NWW + LB + LB + DSEQ_WIDTH + ADDR_WIDTH;
wire [RT_W-1:0] rt_in, rt_out;
wire            rt_s_ready, rt_m_valid;
wire            rt_pop;

// write-response tracking FIFO
localparam integer BT_W = 3 + DSEQ_WIDTH + ADDR_WIDTH;
reg  [BT_W-1:0] bt_in;
reg             bt_push;
wire [BT_W-1:0] bt_out;
wire            bt_s_ready, bt_m_valid;
wire            bt_pop;

wire stop_me = stop && stop_covers[dseq_q];
wire [SW:0] nsrc_ext = nsrc_q[SW:0];

// per-source values
wire [ADDR_WIDTH-1:0] src_sel       = src_q[src_idx_q[SW-1:0]*ADDR_WIDTH +: ADDR_WIDTH];
wire [XW-1:0]         src_x         = {1'b0, src_sel};
wire [XW-1:0]         len_x         = {{(XW-24){1'b0}}, len_q};
wire [XW-1:0]         chunk_off_x   = {{(XW-24){1'b0}}, chunk_off_q};
wire [XW-1:0]         chunk_end_x   = {{(XW-24){1'b0}}, chunk_end_q};
wire [XW-1:0]         new_end_x;    // end of the chunk being started (RD_CHUNK)
wire [XW-1:0]         src_end       = (src_x + len_x + DBM1) & ~DBM1;
wire [XW-1:0]         src_last_byte = src_x + len_x - 1'b1;
wire [XW-1:0]         src_next_blk  = (src_x + chunk_off_x + BLKM1) & ~BLKM1;
wire [XW-1:0]         src_first_rd  = (chunk_off_q == 24'd0) ? (src_x & ~DBM1) :
                                      (src_next_blk < src_end) ? src_next_blk : src_end;

// chunk geometry
wire [XW-1:0]         dst_x         = {1'b0, dst_q};
wire [XW-1:0]         chunk_start   = dst_x + chunk_off_x;
wire [XW-1:0]         chunk_last    = dst_x + chunk_end_x - 1'b1;
wire [BLK_SH:0]       chunk_room    = (1 << BLK_SH) - {1'b0, chunk_start[BLK_SH-1:0]};
wire [23:0]           chunk_rem     = len_q - chunk_off_q;
wire [23:0]           chunk_len     = ({{(24-BLK_SH-1){1'b0}}, chunk_room} < chunk_rem) ?
                                      {{(24-BLK_SH-1){1'b0}}, chunk_room} : chunk_rem;
assign new_end_x = chunk_off_x + {{(XW-24){1'b0}}, chunk_len};

// burst geometry
wire [XW-1:0]         b_nblk   = ((rd_addr_q >> BLK_SH) + 1'b1) << BLK_SH;
wire [XW-1:0]         b_end    = (b_nblk < src_end_q) ? b_nblk : src_end_q;
wire [XW-1:0]         b_bytes  = b_end - rd_addr_q;
wire [7:0]            b_len    = b_bytes[LB +: 8] - 8'd1;
wire                  b_first  = (rd_addr_q == (src_base_q & ~DBM1));
wire                  b_lastb  = (b_end == src_end_q);
wire [XW-1:0]         b_rel    = rd_addr_q - src_base_q + {{(XW-PW){1'b0}}, dst_buf_pos_q};
wire [LB-1:0]         b_lo     = b_first ? src_base_q[LB-1:0] : {LB{1'b0}};
wire [LB-1:0]         b_hi     = b_lastb ? src_last_lane_q : {LB{1'b1}};
wire                  b_more   = (rd_addr_q < rd_need_q);

assign rt_in      = {b_rel[PW-1:0], b_lo, b_hi, dseq_q, rd_addr_q[ADDR_WIDTH-1:0]};
assign m_ar_addr  = rd_addr_q[ADDR_WIDTH-1:0];
assign m_ar_len   = b_len;
assign m_ar_valid = (rd_state_q == RD_BURST) && b_more && rt_s_ready && !stop_me;
wire   ar_fire    = m_ar_valid && m_ar_ready;

assign cmd_ready  = (rd_state_q == RD_IDLE) && !(stop && stop_covers[cmd_dseq]);

reg cq_push;

always @* begin
    rd_state_d = rd_state_q;
    op_d    = op_q;
    nsrc_d  = nsrc_q;
    len_d   = len_q;
    dst_d   = dst_q;
    src_d   = src_q;
    fill_d  = fill_q;
    dseq_d  = dseq_q;
    chunk_off_d     = chunk_off_q;
    chunk_end_d     = chunk_end_q;
    src_idx_d       = src_idx_q;
    rd_addr_d       = rd_addr_q;
    rd_need_d       = rd_need_q;
    src_end_d       = src_end_q;
    src_base_d      = src_base_q;
    src_last_lane_d = src_last_lane_q;
    dst_buf_pos_d   = dst_buf_pos_q;
    rd_iss_d        = rd_iss_q + {{(RCW-1){1'b0}}, ar_fire};
    cq_push         = 1'b0;

    case (rd_state_q)
        RD_IDLE: begin
            if (cmd_valid && cmd_ready) begin
                op_d    = cmd_op;
                nsrc_d  = (cmd_op == OP_MEMCPY) ? 5'd1 : cmd_nsrc;
                len_d   = cmd_len;
                dst_d   = cmd_dst;
                src_d   = cmd_src;
                fill_d  = cmd_fill;
                dseq_d  = cmd_dseq;
                chunk_off_d = 24'd0;
                src_idx_d   = {(SW+1){1'b0}};
                rd_state_d = cmd_fence ? RD_FENCE : RD_CHUNK;
            end
        end
        RD_FENCE: begin
            // every earlier descriptor's writes must have been answered
            if (stop_me) begin
                rd_state_d = RD_IDLE;
            end else if (cq_count == 0 && !bt_m_valid) begin
                rd_state_d = RD_CHUNK;
            end
        end
        RD_CHUNK: begin
            if (stop_me) begin
                rd_state_d = RD_IDLE;
            end else if (cq_count <= CQ_LIM) begin
                // this chunk's block and the spill block are free
                chunk_end_d = chunk_off_q + chunk_len;
                src_idx_d   = {(SW+1){1'b0}};
                if (chunk_off_q == 24'd0) begin
                    dst_buf_pos_d = {cq_wi, {BLK_SH{1'b0}}} + {{(PW-BLK_SH){1'b0}}, dst_q[BLK_SH-1:0]};
                end
                if (op_q == OP_FILL || op_q == OP_INT) begin
                    rd_state_d = RD_PUSH;
                end else begin
                    // source 0 set up here (src_idx_q is 0 whenever a chunk starts): saves a cycle
                    rd_addr_d       = src_first_rd;
                    rd_need_d       = src_x + new_end_x;
                    src_end_d       = src_end;
                    src_base_d      = src_x;
                    src_last_lane_d = src_last_byte[LB-1:0];
                    rd_state_d      = RD_BURST;
                end
            end
        end
        RD_SRC: begin
            rd_addr_d       = src_first_rd;
            rd_need_d       = src_x + chunk_end_x;
            src_end_d       = src_end;
            src_base_d      = src_x;
            src_last_lane_d = src_last_byte[LB-1:0];
            rd_state_d      = stop_me ? RD_IDLE : RD_BURST;
        end
        RD_BURST: begin
            if (stop_me) begin
                rd_state_d = RD_IDLE;
            end else if (!b_more || (ar_fire && b_end >= rd_need_q)) begin
                if (ar_fire) rd_addr_d = b_end;
                src_idx_d  = src_idx_q + 1'b1;
                rd_state_d = (nsrc_ext == src_idx_q + 1'b1) ? RD_PUSH : RD_SRC;
            end else if (ar_fire) begin
                rd_addr_d = b_end;
            end
        end
        RD_PUSH: begin
            if (stop_me) begin
                rd_state_d = RD_IDLE;
            end else begin
                cq_push     = 1'b1;
                chunk_off_d = chunk_end_q;
                src_idx_d   = {(SW+1){1'b0}};
                rd_state_d  = (op_q == OP_INT || chunk_end_q == len_q) ? RD_IDLE : RD_CHUNK;
            end
        end
        default: rd_state_d = RD_IDLE;
    endcase
end

// chunk queue writes
wire [1:0] push_type = (op_q == OP_FILL)   ? CT_FILL  :
                       (op_q == OP_XORVAL) ? CT_CHECK :
                       (op_q == OP_INT)    ? CT_MARK  : CT_DATA;
wire [XW-LB-1:0] push_nb_full = chunk_last[XW-1:LB] - chunk_start[XW-1:LB];

always @(posedge clk) begin
    if (cq_push) begin
        cq_type_q[cq_wi] <= push_type;
        cq_addr_q[cq_wi] <= chunk_start[ADDR_WIDTH-1:0] & ~DBM1[ADDR_WIDTH-1:0];
        cq_nb_q[cq_wi]   <= push_nb_full[BBW-1:0];
        cq_lo_q[cq_wi]   <= chunk_start[LB-1:0];
        cq_hi_q[cq_wi]   <= chunk_last[LB-1:0];
        cq_thr_q[cq_wi]  <= rd_iss_q;
        cq_last_q[cq_wi] <= (op_q == OP_INT) || (chunk_end_q == len_q);
        cq_first_q[cq_wi] <= (chunk_off_q == 24'd0);
        cq_dseq_q[cq_wi] <= dseq_q;
        cq_fill_q[cq_wi] <= fill_q;
    end
end

/* verilator lint_off PINCONNECTEMPTY */ // fill level not needed
dma_fifo #(
    .WIDTH(RT_W),
    .DEPTH(RD_TRACK)
) u_rtrk (
    .clk    (clk),
    .rst    (rst),
    .clr    (flush),
    .s_data (rt_in),
    .s_valid(ar_fire),
    .s_ready(rt_s_ready),
    .m_data (rt_out),
    .m_valid(rt_m_valid),
    .m_ready(rt_pop),
    .count  ()
);
/* verilator lint_on PINCONNECTEMPTY */

// ============================================================================ read data
wire [NWW-1:0]        rt_word = rt_out[RT_W-1 -: NWW];
wire [LB-1:0]         rt_rot  = rt_out[RT_W-NWW-1 -: LB];
wire [LB-1:0]         rt_lo   = rt_out[RT_W-LB-NWW-1 -: LB];
wire [LB-1:0]         rt_hi   = rt_out[RT_W-2*LB-NWW-1 -: LB];
wire [DSEQ_WIDTH-1:0] rt_dseq = rt_out[ADDR_WIDTH +: DSEQ_WIDTH];
wire [ADDR_WIDTH-1:0] rt_addr = rt_out[ADDR_WIDTH-1:0];

reg  [7:0]            rbeat_q;
assign m_r_ready = rt_m_valid;
wire   r_fire    = m_r_valid && rt_m_valid;
assign rt_pop    = r_fire && m_r_last;
always @* begin
    rd_done_d = rd_done_q + {{(RCW-1){1'b0}}, rt_pop};
end

// Lane masks are vector expressions rather than per-lane loops: cheaper to re-evaluate in an
// event-driven simulator (the R bus signals they read are shared by every channel).
localparam [DB-1:0] ALL_LANES = {DB{1'b1}};

// byte lanes of this beat that belong to the source (lanes >= lo on the first beat of the
// burst, lanes <= hi on its last; DB - 1 - hi is ~hi)
wire [DB-1:0] r_valid_lanes = ((rbeat_q != 8'd0) ? ALL_LANES : (ALL_LANES << rt_lo)) &
                              (m_r_last ? (ALL_LANES >> ~rt_hi) : ALL_LANES);

// rotate the lanes to destination alignment (the data itself is rotated where the buffer is
// written, below)
wire [2*DB-1:0]         r_mm   = {r_valid_lanes, r_valid_lanes} << rt_rot;
wire [DB-1:0]           r_rotm = r_mm[2*DB-1 -: DB];
wire [DB-1:0]           r_m_hi = r_rotm &  (ALL_LANES << rt_rot);  // lanes for word w0 (>= rot)
wire [DB-1:0]           r_m_lo = r_rotm & ~(ALL_LANES << rt_rot);  // and w0 + 1 (< rot)
// buffer word of this beat: the burst's first word plus the beat count, modulo the buffer (the
// count is zero-extended first: NWW may be wider than it, e.g. 32 blocks of 16 beats)
wire [NWW+7:0] r_w0_x = {8'd0, rt_word} + {{NWW{1'b0}}, rbeat_q};
wire [NWW-1:0] r_w0 = r_w0_x[NWW-1:0];
wire [NWW-1:0] r_w1 = r_w0 + 1'b1;

assign rerr_valid = r_fire && m_r_resp[1];
assign rerr_resp  = m_r_resp;
wire [ADDR_WIDTH-1:0] rbeat_off = {{(ADDR_WIDTH-8-LB){1'b0}}, rbeat_q, {LB{1'b0}}};
assign rerr_addr  = rt_addr + rbeat_off;
assign rerr_dseq  = rt_dseq;

// ============================================================================ block buffer
// Two memories, even and odd words: a read beat covers word w0 (lanes >= rot) and w0 + 1
// (lanes < rot), one in each. A word reads as zero unless its valid bit is set, so clearing a
// word (the W engine as it sends it; reset and flush: all) clears only that bit, and the next
// beat into a cleared word XORs into zero. The clear is written last: it wins over a beat into
// the same word. Everything is updated by one clocked process that works only on beats and
// clears (a process per buffer byte would cost an event-driven simulator a wake-up per byte per
// clock); synthesis maps each memory to flops with one write port.
localparam integer NH = NW / 2;

reg                   clr_en;
reg  [NWW-1:0]        clr_idx;
reg  [DATA_WIDTH-1:0] buf_ev [0:NH-1];        // words 0, 2, 4, ...
reg  [DATA_WIDTH-1:0] buf_od [0:NH-1];        // words 1, 3, 5, ...
reg  [NW-1:0]         buf_vld_q;              // word holds data (else it reads as zero)
reg  [DATA_WIDTH-1:0] r_bits_hi, r_bits_lo;   // lanes of w0 and w0 + 1 as bit masks
integer               rbi;

always @* begin
    for (rbi = 0; rbi < DB; rbi = rbi + 1) begin
        r_bits_hi[rbi*8 +: 8] = {8{r_m_hi[rbi]}};
        r_bits_lo[rbi*8 +: 8] = {8{r_m_lo[rbi]}};
    end
end

// which of w0 / w0 + 1 is even, which odd (NW is even, so they are never in the same memory)
wire                  r_w0_od  = r_w0[0];
wire [NWW-2:0]        r_ev_i   = r_w0_od ? r_w1[NWW-1:1] : r_w0[NWW-1:1];
wire [NWW-2:0]        r_od_i   = r_w0_od ? r_w0[NWW-1:1] : r_w1[NWW-1:1];
wire [DATA_WIDTH-1:0] r_ev_bits = r_w0_od ? r_bits_lo : r_bits_hi;
wire [DATA_WIDTH-1:0] r_od_bits = r_w0_od ? r_bits_hi : r_bits_lo;

// Rotation to destination alignment: lane m takes source lane (m - rot) mod DB. Written out in
// the clocked process below rather than as a continuous assignment, which an event-driven
// simulator would re-evaluate in every channel on every beat of the shared R bus.
localparam integer   SHW   = LB + 4;          // wide enough to hold DATA_WIDTH
localparam [SHW-1:0] DW_SH = DATA_WIDTH[SHW-1:0];
wire [SHW-1:0] r_sh  = {1'b0, rt_rot, 3'b000};
wire [SHW-1:0] r_shr = DW_SH - r_sh;          // DATA_WIDTH when rot is 0: shifts everything out

always @(posedge clk) begin
    if (rst || flush) begin
        buf_vld_q <= {NW{1'b0}};
    end else begin
        if (r_fire) begin
            buf_ev[r_ev_i] <= (buf_vld_q[{r_ev_i, 1'b0}] ? buf_ev[r_ev_i] : {DATA_WIDTH{1'b0}}) ^
                              (((m_r_data << r_sh) | (m_r_data >> r_shr)) & r_ev_bits);
            buf_od[r_od_i] <= (buf_vld_q[{r_od_i, 1'b1}] ? buf_od[r_od_i] : {DATA_WIDTH{1'b0}}) ^
                              (((m_r_data << r_sh) | (m_r_data >> r_shr)) & r_od_bits);
            buf_vld_q[r_w0] <= 1'b1;
            buf_vld_q[r_w1] <= 1'b1;
        end
        if (clr_en) begin
            buf_vld_q[clr_idx] <= 1'b0;
        end
    end
end

// ============================================================================ AW issuer
wire [NBW-1:0] aw_i     = cq_aw_q[NBW-1:0];
wire           aw_has   = (cq_aw_q != cq_wr_q);
wire           aw_disc  = stop && stop_covers[cq_dseq_q[aw_i]];
wire           aw_bus   = (cq_type_q[aw_i] == CT_DATA) || (cq_type_q[aw_i] == CT_FILL);
// A descriptor's first write waits until every earlier write has been answered, so that a
// write-response error halts the channel before any later descriptor has touched memory.
wire           aw_prev_open = bt_m_valid || (cq_aw_q != cq_rd_q);
wire           aw_rdy   = ((cq_type_q[aw_i] != CT_DATA) || rd_ready(cq_thr_q[aw_i], rd_done_q)) &&
                          !(cq_first_q[aw_i] && aw_prev_open);

assign m_aw_valid = aw_has && !aw_disc && aw_bus && aw_rdy;
assign m_aw_addr  = cq_addr_q[aw_i];
assign m_aw_len   = {{(8-BBW){1'b0}}, cq_nb_q[aw_i]};
wire   aw_adv     = aw_has && !aw_disc && (!aw_bus || (m_aw_valid && m_aw_ready));

// ============================================================================ W engine
wire [NBW-1:0] h_i      = cq_rd_q[NBW-1:0];
wire           h_has    = (cq_count != 0);
wire           h_issued = (cq_aw_q != cq_rd_q);
wire [1:0]     h_type   = cq_type_q[h_i];
wire           h_disc   = stop && stop_covers[cq_dseq_q[h_i]];
wire [BBW-1:0] h_nb     = cq_nb_q[h_i];
wire [BBW-1:0] h_w0     = cq_addr_q[h_i][BLK_SH-1:LB];
wire           h_rdy    = rd_ready(cq_thr_q[h_i], rd_done_q);

reg  [BBW-1:0] wb_q, wb_d;
reg            nz_q, nz_d;
wire           wb_first = (wb_q == {BBW{1'b0}});
wire           wb_last  = (wb_q == h_nb);
wire [NWW-1:0] h_word   = {h_i, h_w0 + wb_q};
wire [DATA_WIDTH-1:0] h_raw  = h_word[0] ? buf_od[h_word[NWW-1:1]] : buf_ev[h_word[NWW-1:1]];
wire [DATA_WIDTH-1:0] h_data = buf_vld_q[h_word] ? h_raw : {DATA_WIDTH{1'b0}};

wire [DB-1:0] h_mask = (wb_first ? (ALL_LANES << cq_lo_q[h_i]) : ALL_LANES) &
                      (wb_last ? (ALL_LANES >> ~cq_hi_q[h_i]) : ALL_LANES);
reg  [DATA_WIDTH-1:0] h_mask_bits;
integer               hbi;
always @* begin
    for (hbi = 0; hbi < DB; hbi = hbi + 1) begin
        h_mask_bits[hbi*8 +: 8] = {8{h_mask[hbi]}};
    end
end
wire h_nz = |(h_data & h_mask_bits);

wire w_bus = h_has && h_issued && ((h_type == CT_DATA) || (h_type == CT_FILL));
assign m_w_valid = w_bus && bt_s_ready;
assign m_w_data  = (h_type == CT_FILL) ? {DB{cq_fill_q[h_i]}} : h_data;
// AXI: a beat's payload stays as offered until it is taken. A beat of an abandoned descriptor
// goes out with WSTRB 0, but that decision is taken when the beat is first offered and held
// while it is stalled: an error stop arriving meanwhile affects the following beats only.
reg            w_stalled_q;       // a beat was offered last cycle and not taken
reg            w_disc_q;          // the discard decision it was offered with
wire           w_disc   = w_stalled_q ? w_disc_q : h_disc;
assign m_w_strb  = w_disc ? {DB{1'b0}} : h_mask;
assign m_w_last  = wb_last;
wire   w_fire    = m_w_valid && m_w_ready;

reg cq_pop;
always @* begin
    wb_d    = wb_q;
    nz_d    = nz_q;
    cq_pop  = 1'b0;
    bt_push = 1'b0;
    bt_in   = {1'b1, cq_last_q[h_i], 1'b0, cq_dseq_q[h_i], cq_addr_q[h_i]};
    clr_en  = 1'b0;
    clr_idx = h_word;
    if (h_has) begin
        if (h_type == CT_DATA || h_type == CT_FILL) begin
            if (w_fire) begin
                clr_en = (h_type == CT_DATA);
                wb_d   = wb_q + 1'b1;
                if (wb_last) begin
                    wb_d    = {BBW{1'b0}};
                    bt_push = 1'b1;
                    cq_pop  = 1'b1;
                end
            end else if (!h_issued && h_disc) begin
                cq_pop = 1'b1;
            end
        end else if (h_disc) begin
            cq_pop = 1'b1;
            wb_d   = {BBW{1'b0}};
            nz_d   = 1'b0;
        end else if (h_type == CT_CHECK) begin
            if (h_rdy && bt_s_ready) begin
                clr_en = 1'b1;
                wb_d   = wb_q + 1'b1;
                nz_d   = nz_q | h_nz;
                if (wb_last) begin
                    wb_d    = {BBW{1'b0}};
                    bt_push = 1'b1;
                    bt_in   = {1'b0, cq_last_q[h_i], nz_q | h_nz, cq_dseq_q[h_i], cq_addr_q[h_i]};
                    cq_pop  = 1'b1;
                    if (cq_last_q[h_i]) nz_d = 1'b0;
                end
            end
        end else begin
            // INTERRUPT marker: completes in order behind the writes before it
            if (bt_s_ready) begin
                bt_push = 1'b1;
                bt_in   = {1'b0, 1'b1, 1'b0, cq_dseq_q[h_i], cq_addr_q[h_i]};
                cq_pop  = 1'b1;
            end
        end
    end
end

always @* begin
    cq_rd_d = cq_rd_q + {{NBW{1'b0}}, cq_pop};
    cq_aw_d = cq_aw_q + {{NBW{1'b0}}, aw_adv};
    // an entry popped before its AW was issued (discarded, check, marker) drags the AW pointer
    if (cq_pop && (cq_aw_q == cq_rd_q)) begin
        cq_aw_d = cq_rd_q + 1'b1;
    end
end

/* verilator lint_off PINCONNECTEMPTY */ // fill level not needed
dma_fifo #(
    .WIDTH(BT_W),
    .DEPTH(BT_DEPTH)
) u_btrk (
    .clk    (clk),
    .rst    (rst),
    .clr    (flush),
    .s_data (bt_in),
    .s_valid(bt_push),
    .s_ready(bt_s_ready),
    .m_data (bt_out),
    .m_valid(bt_m_valid),
    .m_ready(bt_pop),
    .count  ()
);
/* verilator lint_on PINCONNECTEMPTY */

// ============================================================================ B side
wire                  bt_bus  = bt_out[BT_W-1];
wire                  bt_last = bt_out[BT_W-2];
wire                  bt_nz   = bt_out[BT_W-3];
wire [DSEQ_WIDTH-1:0] bt_dseq = bt_out[ADDR_WIDTH +: DSEQ_WIDTH];
wire [ADDR_WIDTH-1:0] bt_addr = bt_out[ADDR_WIDTH-1:0];

assign m_b_ready = bt_m_valid && bt_bus;
wire   b_fire    = m_b_valid && m_b_ready;
assign bt_pop    = bt_m_valid && (!bt_bus || m_b_valid);

assign done_valid = bt_pop && bt_last && !(b_fire && m_b_resp[1]);
assign done_dseq  = bt_dseq;
assign done_nz    = bt_nz;

assign berr_valid = b_fire && m_b_resp[1];
assign berr_resp  = m_b_resp;
assign berr_addr  = bt_addr;
assign berr_dseq  = bt_dseq;

assign busy = (rd_state_q != RD_IDLE) || rt_m_valid || h_has || bt_m_valid;

// ============================================================================ registers
always @(posedge clk) begin
    if (rst || flush) begin
        rd_state_q  <= RD_IDLE;
        rd_iss_q    <= {RCW{1'b0}};
        rd_done_q   <= {RCW{1'b0}};
        cq_wr_q     <= {(NBW+1){1'b0}};
        cq_rd_q     <= {(NBW+1){1'b0}};
        cq_aw_q     <= {(NBW+1){1'b0}};
        rbeat_q     <= 8'd0;
        wb_q        <= {BBW{1'b0}};
        nz_q        <= 1'b0;
        w_stalled_q <= 1'b0;
    end else begin
        rd_state_q <= rd_state_d;
        rd_iss_q   <= rd_iss_d;
        rd_done_q  <= rd_done_d;
        cq_wr_q    <= cq_wr_q + {{NBW{1'b0}}, cq_push};
        cq_rd_q    <= cq_rd_d;
        cq_aw_q    <= cq_aw_d;
        if (r_fire) begin
            rbeat_q <= m_r_last ? 8'd0 : rbeat_q + 1'b1;
        end
        wb_q        <= wb_d;
        nz_q        <= nz_d;
        w_stalled_q <= m_w_valid && !m_w_ready;
    end
    if (m_w_valid) begin
        w_disc_q <= w_disc;
    end
    // datapath registers without reset, loaded only when their next value can differ (the
    // command fields when a command is taken, the rest while the reader is busy): an idle
    // channel then costs an event-driven simulator almost nothing per clock
    if (cmd_valid && cmd_ready) begin
        op_q    <= op_d;
        nsrc_q  <= nsrc_d;
        len_q   <= len_d;
        dst_q   <= dst_d;
        src_q   <= src_d;
        fill_q  <= fill_d;
        dseq_q  <= dseq_d;
    end
    if (rd_state_q != RD_IDLE || cmd_valid) begin
        chunk_off_q     <= chunk_off_d;
        chunk_end_q     <= chunk_end_d;
        src_idx_q       <= src_idx_d;
        rd_addr_q       <= rd_addr_d;
        rd_need_q       <= rd_need_d;
        src_end_q       <= src_end_d;
        src_base_q      <= src_base_d;
        src_last_lane_q <= src_last_lane_d;
        dst_buf_pos_q   <= dst_buf_pos_d;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{src_last_byte, b_bytes, b_rel, push_nb_full, r_mm, nsrc_q, r_w0_x};  // wide intermediates
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
