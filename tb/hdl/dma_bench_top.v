// Performance-bench top level: dma_top + the Verilog memory model + cycle-stamp monitors.
//
// Testbench only (tb/bench/). The register bus (s_axil_*) and irq are the DUT's own; the AXI4
// master goes to axi_mem_model (u_mem), whose `mem` array the Python side loads and checks by
// backdoor. Everything timed is counted here in RTL, so a benchmark run needs no Python per clock
// cycle: Python writes a few registers, waits for irq, then reads these monitors by hierarchy.
//
// Every monitor restarts at the doorbell: the cycle an AXI-Lite write to a channel's TAIL register
// is accepted; a run that rings several channels (cfg_doorbells of them) restarts them at its
// first. Time stamps are values of `cycle` in the cycle the event's handshake happened.
// "Data" bursts are those whose start address lies in [cfg_data_lo, cfg_data_hi), so descriptor
// fetches, status words and completion records (kept outside that range) are told apart from the
// payload. R and W beats are attributed to their AR/AW burst in order: the memory model answers
// reads in acceptance order and W follows AW order (AXI4 has no write interleaving); a W beat's
// channel is that of its AW (channel n writes data with ID 2n + 1).
//
// The clock comes from bench_clock: generated here (CLK_INTERNAL = 1, no simulator-interface call
// per edge) or driven onto clk_ext from outside (0).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_bench_top #(
    parameter integer CHANNELS     = 4,
    parameter integer DATA_WIDTH   = 64,
    parameter integer ADDR_WIDTH   = 32,
    parameter integer MAX_XOR_SRCS = 8,
    parameter integer BUF_BLOCKS   = 8,       // dma_top's, for the deep-latency cases
    parameter integer RD_TRACK     = 16,
    parameter integer MEM_BYTES    = 1 << 20,
    parameter integer RD_QUEUE     = 64,
    parameter integer CLK_INTERNAL = 1,       // see bench_clock
    parameter integer CLK_PERIOD_NS = 10
) (
    input  wire                  clk_ext,   // the clock when CLK_INTERNAL = 0
    input  wire                  rst,

    input  wire [11:0]           s_axil_awaddr,
    input  wire [2:0]            s_axil_awprot,
    input  wire                  s_axil_awvalid,
    output wire                  s_axil_awready,
    input  wire [31:0]           s_axil_wdata,
    input  wire [3:0]            s_axil_wstrb,
    input  wire                  s_axil_wvalid,
    output wire                  s_axil_wready,
    output wire [1:0]            s_axil_bresp,
    output wire                  s_axil_bvalid,
    input  wire                  s_axil_bready,
    input  wire [11:0]           s_axil_araddr,
    input  wire [2:0]            s_axil_arprot,
    input  wire                  s_axil_arvalid,
    output wire                  s_axil_arready,
    output wire [31:0]           s_axil_rdata,
    output wire [1:0]            s_axil_rresp,
    output wire                  s_axil_rvalid,
    input  wire                  s_axil_rready,

    output wire [CHANNELS-1:0]   irq,
    output wire                  irq_all,           // every channel of cfg_irq_mask interrupts

    // bench configuration, set from Python between runs
    input  wire [15:0]           cfg_read_latency,  // extra read latency of the memory, cycles
    input  wire [ADDR_WIDTH-1:0] cfg_data_lo,       // payload address range [lo, hi)
    input  wire [ADDR_WIDTH-1:0] cfg_data_hi,
    input  wire [4:0]            cfg_doorbells,     // TAIL writes that start one run (1..16)
    input  wire [CHANNELS-1:0]   cfg_irq_mask       // the channels a run waits for
);

`include "dma_regs.vh"

localparam integer DB      = DATA_WIDTH / 8;
localparam integer ID_W    = 8;
localparam integer TAGS    = 2 * RD_QUEUE;  // > bursts the memory can hold (RD_QUEUE + 1)
localparam integer TW      = $clog2(TAGS);
localparam integer AR_LOG  = 4;
localparam integer CW      = (CHANNELS > 1) ? $clog2(CHANNELS) : 1;

wire clk;

bench_clock #(
    .INTERNAL (CLK_INTERNAL),
    .PERIOD_NS(CLK_PERIOD_NS)
) u_clk (
    .clk_ext(clk_ext),
    .clk    (clk)
);

wire [ID_W-1:0]       awid, bid, arid, rid;
wire [ADDR_WIDTH-1:0] awaddr, araddr;
wire [7:0]            awlen, arlen;
wire [2:0]            awsize, arsize, awprot, arprot;
wire [1:0]            awburst, arburst, bresp, rresp;
wire [3:0]            awcache, arcache;
wire                  awlock, arlock;
wire                  awvalid, awready, wlast, wvalid, wready, bvalid, bready;
wire                  arvalid, arready, rlast, rvalid, rready;
wire [DATA_WIDTH-1:0] wdata, rdata;
wire [DB-1:0]         wstrb;

dma_top #(
    .CHANNELS    (CHANNELS),
    .DATA_WIDTH  (DATA_WIDTH),
    .ADDR_WIDTH  (ADDR_WIDTH),
    .MAX_XOR_SRCS(MAX_XOR_SRCS),
    .ID_WIDTH    (ID_W),
    .BUF_BLOCKS  (BUF_BLOCKS),
    .RD_TRACK    (RD_TRACK)
) u_dma (
    .clk           (clk),
    .rst           (rst),
    .s_axil_awaddr (s_axil_awaddr),
    .s_axil_awprot (s_axil_awprot),
    .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready),
    .s_axil_wdata  (s_axil_wdata),
    .s_axil_wstrb  (s_axil_wstrb),
    .s_axil_wvalid (s_axil_wvalid),
    .s_axil_wready (s_axil_wready),
    .s_axil_bresp  (s_axil_bresp),
    .s_axil_bvalid (s_axil_bvalid),
    .s_axil_bready (s_axil_bready),
    .s_axil_araddr (s_axil_araddr),
    .s_axil_arprot (s_axil_arprot),
    .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready),
    .s_axil_rdata  (s_axil_rdata),
    .s_axil_rresp  (s_axil_rresp),
    .s_axil_rvalid (s_axil_rvalid),
    .s_axil_rready (s_axil_rready),
    .m_axi_awid    (awid),
    .m_axi_awaddr  (awaddr),
    .m_axi_awlen   (awlen),
    .m_axi_awsize  (awsize),
    .m_axi_awburst (awburst),
    .m_axi_awlock  (awlock),
    .m_axi_awcache (awcache),
    .m_axi_awprot  (awprot),
    .m_axi_awvalid (awvalid),
    .m_axi_awready (awready),
    .m_axi_wdata   (wdata),
    .m_axi_wstrb   (wstrb),
    .m_axi_wlast   (wlast),
    .m_axi_wvalid  (wvalid),
    .m_axi_wready  (wready),
    .m_axi_bid     (bid),
    .m_axi_bresp   (bresp),
    .m_axi_bvalid  (bvalid),
    .m_axi_bready  (bready),
    .m_axi_arid    (arid),
    .m_axi_araddr  (araddr),
    .m_axi_arlen   (arlen),
    .m_axi_arsize  (arsize),
    .m_axi_arburst (arburst),
    .m_axi_arlock  (arlock),
    .m_axi_arcache (arcache),
    .m_axi_arprot  (arprot),
    .m_axi_arvalid (arvalid),
    .m_axi_arready (arready),
    .m_axi_rid     (rid),
    .m_axi_rdata   (rdata),
    .m_axi_rresp   (rresp),
    .m_axi_rlast   (rlast),
    .m_axi_rvalid  (rvalid),
    .m_axi_rready  (rready),
    .irq           (irq)
);

wire mon_clear;  // the doorbell: restart the monitors

axi_mem_model #(
    .DATA_WIDTH(DATA_WIDTH),
    .ADDR_WIDTH(ADDR_WIDTH),
    .ID_WIDTH  (ID_W),
    .MEM_BYTES (MEM_BYTES),
    .RD_QUEUE  (RD_QUEUE)
) u_mem (
    .clk               (clk),
    .rst               (rst),
    .read_latency_extra(cfg_read_latency),
    .stat_clear        (mon_clear),
    .s_axi_awid        (awid),
    .s_axi_awaddr      (awaddr),
    .s_axi_awlen       (awlen),
    .s_axi_awsize      (awsize),
    .s_axi_awburst     (awburst),
    .s_axi_awvalid     (awvalid),
    .s_axi_awready     (awready),
    .s_axi_wdata       (wdata),
    .s_axi_wstrb       (wstrb),
    .s_axi_wlast       (wlast),
    .s_axi_wvalid      (wvalid),
    .s_axi_wready      (wready),
    .s_axi_bid         (bid),
    .s_axi_bresp       (bresp),
    .s_axi_bvalid      (bvalid),
    .s_axi_bready      (bready),
    .s_axi_arid        (arid),
    .s_axi_araddr      (araddr),
    .s_axi_arlen       (arlen),
    .s_axi_arsize      (arsize),
    .s_axi_arburst     (arburst),
    .s_axi_arvalid     (arvalid),
    .s_axi_arready     (arready),
    .s_axi_rid         (rid),
    .s_axi_rdata       (rdata),
    .s_axi_rresp       (rresp),
    .s_axi_rlast       (rlast),
    .s_axi_rvalid      (rvalid),
    .s_axi_rready      (rready)
);

assign irq_all = ((irq & cfg_irq_mask) == cfg_irq_mask) && (cfg_irq_mask != {CHANNELS{1'b0}});
wire   irq_first = |(irq & cfg_irq_mask);  // the first channel of the run to finish

// ---------------------------------------------------------------- doorbell
reg  [31:0] cycle;
reg         axil_aw_held, axil_w_held;
reg  [11:0] axil_aw_addr_held;
reg  [4:0]  db_left;    // doorbells of the current run still to come

wire        axil_aw_fire = s_axil_awvalid && s_axil_awready;
wire        axil_w_fire  = s_axil_wvalid && s_axil_wready;
wire        axil_wr_done = (axil_aw_fire || axil_aw_held) && (axil_w_fire || axil_w_held);
wire [11:0] axil_wr_addr = axil_aw_fire ? s_axil_awaddr : axil_aw_addr_held;
wire        is_tail      = (axil_wr_addr >= DMA_CH_BASE) && (axil_wr_addr[6:0] == DMA_CH_TAIL);

wire        tail_wr      = axil_wr_done && is_tail;

assign mon_clear = tail_wr && (db_left == 5'd0);

always @(posedge clk) begin
    if (rst) begin
        cycle        <= 32'd0;
        axil_aw_held <= 1'b0;
        axil_w_held  <= 1'b0;
        db_left      <= 5'd0;
    end else begin
        cycle <= cycle + 32'd1;
        if (tail_wr) begin
            db_left <= (db_left != 5'd0) ? db_left - 5'd1
                     : (cfg_doorbells > 5'd1) ? cfg_doorbells - 5'd1 : 5'd0;
        end
        if (axil_wr_done) begin
            axil_aw_held <= 1'b0;
            axil_w_held  <= 1'b0;
        end else begin
            if (axil_aw_fire) axil_aw_held <= 1'b1;
            if (axil_w_fire)  axil_w_held  <= 1'b1;
        end
        if (axil_aw_fire) axil_aw_addr_held <= s_axil_awaddr;
    end
end

// ---------------------------------------------------------------- monitors
function is_data;
    input [ADDR_WIDTH-1:0] a;
    begin
        is_data = (a >= cfg_data_lo) && (a < cfg_data_hi);
    end
endfunction

wire ar_fire = arvalid && arready;
wire r_fire  = rvalid && rready;
wire aw_fire = awvalid && awready;
wire w_fire  = wvalid && wready;
wire b_fire  = bvalid && bready;

// burst tags (1: data) in issue order, popped on the burst's last beat; W bursts also keep the
// channel that issued them
reg [TAGS-1:0] r_tags, w_tags;
reg [CW-1:0]   w_tag_ch [0:TAGS-1];
reg [TW:0]     r_tag_wr, r_tag_rd, w_tag_wr, w_tag_rd;
wire           r_tag_empty = (r_tag_wr == r_tag_rd);
wire           w_tag_empty = (w_tag_wr == w_tag_rd);
wire           r_is_data   = r_tags[r_tag_rd[TW-1:0]];
// a W beat may come with its own AW in the same cycle (the memory takes it directly)
wire           w_is_data   = w_tag_empty ? is_data(awaddr) : w_tags[w_tag_rd[TW-1:0]];
wire           w_tag_skip  = w_tag_empty && w_fire && wlast;  // that AW is done at once
wire [CW-1:0]  aw_ch       = awid[CW:1];
wire [CW-1:0]  w_ch        = w_tag_empty ? aw_ch : w_tag_ch[w_tag_rd[TW-1:0]];

// read by the Python bench through the hierarchy
/* verilator lint_off UNUSEDSIGNAL */
reg [31:0] db_count;     // doorbells since reset
reg [31:0] t_db;         // cycle of the last doorbell
reg [31:0] n_ar, n_aw;   // bursts since the doorbell (all)
reg [31:0] n_r, n_w;     // beats since the doorbell (all)
reg [31:0] n_r_data, n_w_data;
reg        seen_ar_data, seen_r_data, seen_w_data, seen_irq;
reg [31:0] t_ar_data;    // first data AR
reg [31:0] t_r_first, t_r_last, t_w_first, t_w_last;  // data beats
reg [31:0] t_b_last;     // last B (any)
reg [31:0] t_irq;        // first cycle with irq_all after the doorbell
reg        seen_irq_first;
reg [31:0] t_irq_first;  // first cycle any channel of the run interrupts
reg [31:0] n_w_ch  [0:CHANNELS-1];  // data W beats per channel since the doorbell
reg [31:0] n_w_win [0:CHANNELS-1];  // the same, until the first channel of the run finishes
reg [31:0] ar_log_t    [0:AR_LOG-1];  // the first AR_LOG ARs after the doorbell
reg [ADDR_WIDTH-1:0] ar_log_addr [0:AR_LOG-1];
/* verilator lint_on UNUSEDSIGNAL */

always @(posedge clk) begin
    if (rst) begin
        r_tag_wr <= {(TW+1){1'b0}};
        r_tag_rd <= {(TW+1){1'b0}};
        w_tag_wr <= {(TW+1){1'b0}};
        w_tag_rd <= {(TW+1){1'b0}};
    end else begin
        if (ar_fire) begin
            r_tags[r_tag_wr[TW-1:0]] <= is_data(araddr);
            r_tag_wr <= r_tag_wr + 1'b1;
        end
        if (r_fire && rlast) r_tag_rd <= r_tag_rd + 1'b1;
        if (aw_fire && !w_tag_skip) begin
            w_tags[w_tag_wr[TW-1:0]] <= is_data(awaddr);
            w_tag_ch[w_tag_wr[TW-1:0]] <= aw_ch;
            w_tag_wr <= w_tag_wr + 1'b1;
        end
        if (w_fire && wlast && !w_tag_empty) w_tag_rd <= w_tag_rd + 1'b1;
    end
end

always @(posedge clk) begin
    if (rst) begin
        db_count <= 32'd0;
        t_db     <= 32'd0;
    end else begin
        if (tail_wr)   db_count <= db_count + 32'd1;
        if (mon_clear) t_db     <= cycle;
    end
    if (rst || mon_clear) begin
        n_ar         <= 32'd0;
        n_aw         <= 32'd0;
        n_r          <= 32'd0;
        n_w          <= 32'd0;
        n_r_data     <= 32'd0;
        n_w_data     <= 32'd0;
        seen_ar_data <= 1'b0;
        seen_r_data  <= 1'b0;
        seen_w_data  <= 1'b0;
        seen_irq     <= 1'b0;
        seen_irq_first <= 1'b0;
        t_irq_first  <= 32'd0;
        t_ar_data    <= 32'd0;
        t_r_first    <= 32'd0;
        t_r_last     <= 32'd0;
        t_w_first    <= 32'd0;
        t_w_last     <= 32'd0;
        t_b_last     <= 32'd0;
        t_irq        <= 32'd0;
    end else begin
        if (ar_fire) begin
            n_ar <= n_ar + 32'd1;
            if (n_ar < AR_LOG) begin
                ar_log_t[n_ar[1:0]]    <= cycle;
                ar_log_addr[n_ar[1:0]] <= araddr;
            end
            if (is_data(araddr) && !seen_ar_data) begin
                seen_ar_data <= 1'b1;
                t_ar_data    <= cycle;
            end
        end
        if (aw_fire) n_aw <= n_aw + 32'd1;
        if (r_fire) begin
            n_r <= n_r + 32'd1;
            if (r_is_data) begin
                n_r_data <= n_r_data + 32'd1;
                t_r_last <= cycle;
                if (!seen_r_data) t_r_first <= cycle;
                seen_r_data <= 1'b1;
            end
        end
        if (w_fire) begin
            n_w <= n_w + 32'd1;
            if (w_is_data) begin
                n_w_data <= n_w_data + 32'd1;
                t_w_last <= cycle;
                if (!seen_w_data) t_w_first <= cycle;
                seen_w_data <= 1'b1;
            end
        end
        if (b_fire) t_b_last <= cycle;
        if (irq_all && !seen_irq) begin
            seen_irq <= 1'b1;
            t_irq    <= cycle;
        end
        if (irq_first && !seen_irq_first) begin
            seen_irq_first <= 1'b1;
            t_irq_first    <= cycle;
        end
    end
end

integer ch;
always @(posedge clk) begin
    if (rst || mon_clear) begin
        for (ch = 0; ch < CHANNELS; ch = ch + 1) begin
            n_w_ch[ch]  <= 32'd0;
            n_w_win[ch] <= 32'd0;
        end
    end else if (w_fire && w_is_data) begin
        n_w_ch[w_ch] <= n_w_ch[w_ch] + 32'd1;
        if (!seen_irq_first) n_w_win[w_ch] <= n_w_win[w_ch] + 32'd1;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{awlock, arlock, awcache, arcache, awprot, arprot, r_tag_empty, awid};
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
