// Testbench-only AXI4 memory slave for the performance benches (tb/bench/).
//
// A clocked Verilog memory so that a benchmark runs without any per-cycle Python (cocotbext-axi's
// AxiRam costs a Python coroutine step per beat). Synthesizable style, but not part of rtl/.
//
// Behaviour:
//  * `mem` is MEM_BYTES / DATA_BYTES words of DATA_WIDTH bits, byte address a in word
//    a / DATA_BYTES, lane a % DATA_BYTES (little-endian). The benches load and check it by
//    backdoor through the simulator (dut.u_mem.mem[i]).
//  * Reads: an accepted AR enters a queue of RD_QUEUE bursts stamped with the cycle it becomes
//    due; the first R beat of a burst comes READ_LATENCY + read_latency_extra cycles later than it
//    would with no extra latency (minimum: AR accepted in cycle n, first R beat in cycle n + 2).
//    Responses are in order of acceptance (over all IDs), beats of consecutive bursts back to
//    back: R is never idle while a due burst is queued and RREADY is high.
//  * Writes: accepted AWs queue (WR_QUEUE deep); W is accepted whenever the address of its burst
//    is known: queued, or arriving on AW in the same cycle (so AW and its first W beat may hand
//    shake together). WSTRB is honoured. One B per burst, in order, from a B_QUEUE deep queue.
//  * INCR and FIXED bursts of any AxSIZE up to the bus width; WRAP is treated as INCR (the DMA
//    never issues it) and counted as a protocol error. A beat outside [0, MEM_BYTES) writes
//    nothing and answers DECERR (counted); everything else answers OKAY.
//
// Why the model is never the bottleneck (and the counters that prove it per run): ARREADY is low
// only when RD_QUEUE bursts are queued (st_ar_full counts those cycles), which with RD_QUEUE = 64
// covers 64 outstanding bursts, more than latency * bandwidth needs for any latency the bench
// uses; AWREADY only when WR_QUEUE bursts wait (st_aw_full); WREADY is low with an address known
// only when the B queue is full (st_w_stall). When all three stay 0, the DMA saw an ideal
// memory: fixed latency, unlimited outstanding reads, full-rate R and W. The benches assert it.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module axi_mem_model #(
    parameter integer DATA_WIDTH   = 64,
    parameter integer ADDR_WIDTH   = 32,
    parameter integer ID_WIDTH     = 8,
    parameter integer MEM_BYTES    = 1 << 20,
    parameter integer READ_LATENCY = 0,     // fixed extra read latency, cycles
    parameter integer RD_QUEUE     = 64,    // read bursts accepted and not yet answered
    parameter integer WR_QUEUE     = 16,    // write bursts accepted ahead of their data
    parameter integer B_QUEUE      = 16     // write responses waiting for BREADY
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [15:0]             read_latency_extra,  // runtime extra read latency, cycles
    input  wire                    stat_clear,          // zero the statistics counters

    input  wire [ID_WIDTH-1:0]     s_axi_awid,
    input  wire [ADDR_WIDTH-1:0]   s_axi_awaddr,
    input  wire [7:0]              s_axi_awlen,
    input  wire [2:0]              s_axi_awsize,
    input  wire [1:0]              s_axi_awburst,
    input  wire                    s_axi_awvalid,
    output wire                    s_axi_awready,
    input  wire [DATA_WIDTH-1:0]   s_axi_wdata,
    input  wire [DATA_WIDTH/8-1:0] s_axi_wstrb,
    input  wire                    s_axi_wlast,
    input  wire                    s_axi_wvalid,
    output wire                    s_axi_wready,
    output wire [ID_WIDTH-1:0]     s_axi_bid,
    output wire [1:0]              s_axi_bresp,
    output wire                    s_axi_bvalid,
    input  wire                    s_axi_bready,
    input  wire [ID_WIDTH-1:0]     s_axi_arid,
    input  wire [ADDR_WIDTH-1:0]   s_axi_araddr,
    input  wire [7:0]              s_axi_arlen,
    input  wire [2:0]              s_axi_arsize,
    input  wire [1:0]              s_axi_arburst,
    input  wire                    s_axi_arvalid,
    output wire                    s_axi_arready,
    output reg  [ID_WIDTH-1:0]     s_axi_rid,
    output reg  [DATA_WIDTH-1:0]   s_axi_rdata,
    output reg  [1:0]              s_axi_rresp,
    output reg                     s_axi_rlast,
    output reg                     s_axi_rvalid,
    input  wire                    s_axi_rready
);

localparam integer DB    = DATA_WIDTH / 8;
localparam integer LB    = $clog2(DB);
localparam integer WORDS = MEM_BYTES / DB;
localparam integer MW    = $clog2(WORDS);
localparam integer RQW   = $clog2(RD_QUEUE);
localparam integer WQW   = $clog2(WR_QUEUE);
localparam integer BQW   = $clog2(B_QUEUE);
localparam [1:0]   RESP_OKAY = 2'b00, RESP_DECERR = 2'b11;
localparam [1:0]   BURST_FIXED = 2'b00, BURST_WRAP = 2'b10;

initial begin
    if ((1 << LB) != DB || DB < 1) begin
        $error("axi_mem_model: DATA_WIDTH must be 8 * a power of two");
        $finish;
    end
    if ((1 << MW) != WORDS || MEM_BYTES < DB) begin
        $error("axi_mem_model: MEM_BYTES must be a power of two >= DATA_WIDTH / 8");
        $finish;
    end
    if ((1 << RQW) != RD_QUEUE || (1 << WQW) != WR_QUEUE || (1 << BQW) != B_QUEUE) begin
        $error("axi_mem_model: queue depths must be powers of two");
        $finish;
    end
end

reg [DATA_WIDTH-1:0] mem [0:WORDS-1];

// zeroed at time 0 (reads of unloaded words are defined on every simulator)
integer init_i;
initial begin
    for (init_i = 0; init_i < WORDS; init_i = init_i + 1) mem[init_i] = {DATA_WIDTH{1'b0}};
end

reg [31:0] cyc;  // the model's own cycle count: read queue time stamps

// statistics (zeroed by stat_clear): see the header
reg [31:0] st_ar_full;   // cycles ARVALID && !ARREADY (read queue full)
reg [31:0] st_aw_full;   // cycles AWVALID && !AWREADY (write address queue full)
reg [31:0] st_w_stall;   // cycles WVALID && !WREADY with the burst's address known (B queue full)
reg [31:0] st_w_early;   // cycles WVALID before the burst's AW (the master's choice, not a stall)
reg [31:0] st_r_held;    // cycles RVALID && !RREADY (the master's backpressure)
reg [31:0] st_oob;       // beats outside [0, MEM_BYTES)
reg [31:0] st_proto;     // WLAST not on the burst's last beat, WRAP bursts

// next beat address of a burst: FIXED stays, INCR advances to the next AxSIZE boundary
function [ADDR_WIDTH-1:0] next_addr;
    input [ADDR_WIDTH-1:0] a;
    input [2:0]            size;
    input [1:0]            burst;
    reg   [ADDR_WIDTH-1:0] step;
    begin
        step = {{(ADDR_WIDTH-1){1'b0}}, 1'b1} << size;
        if (burst == BURST_FIXED) next_addr = a;
        else                      next_addr = (a & ~(step - 1'b1)) + step;
    end
endfunction

function in_range;
    input [ADDR_WIDTH-1:0] a;
    begin
        in_range = ((a >> (LB + MW)) == {ADDR_WIDTH{1'b0}});
    end
endfunction

/* verilator lint_off UNUSEDSIGNAL */  // the offset bits and (out of range) the upper ones
function [MW-1:0] word_of;
    input [ADDR_WIDTH-1:0] a;
    begin
        word_of = a[LB +: MW];
    end
endfunction
/* verilator lint_on UNUSEDSIGNAL */

// ---------------------------------------------------------------- read queue
reg [ADDR_WIDTH-1:0] rq_addr  [0:RD_QUEUE-1];
reg [7:0]            rq_len   [0:RD_QUEUE-1];
reg [2:0]            rq_size  [0:RD_QUEUE-1];
reg [1:0]            rq_burst [0:RD_QUEUE-1];
reg [ID_WIDTH-1:0]   rq_id    [0:RD_QUEUE-1];
reg [31:0]           rq_due   [0:RD_QUEUE-1];
reg [RQW:0]          rq_wr, rq_rd;

wire        rq_empty = (rq_wr == rq_rd);
wire        rq_full  = (rq_wr[RQW-1:0] == rq_rd[RQW-1:0]) && (rq_wr[RQW] != rq_rd[RQW]);
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] rq_wait  = cyc - rq_due[rq_rd[RQW-1:0]];
/* verilator lint_on UNUSEDSIGNAL */
wire        rq_due_now = !rq_empty && !rq_wait[31];  // cyc >= due, modulo 2^32
wire        ar_fire  = s_axi_arvalid && !rq_full;
wire [31:0] rd_lat   = READ_LATENCY + {16'd0, read_latency_extra};

assign s_axi_arready = !rq_full;

// current read burst (after its first beat has been presented)
reg                  r_more;
reg [ADDR_WIDTH-1:0] r_addr;
reg [7:0]            r_left;
reg [2:0]            r_size;
reg [1:0]            r_burst;
reg [ID_WIDTH-1:0]   r_id;

wire r_advance = !s_axi_rvalid || s_axi_rready;

always @(posedge clk) begin : rd_proc
    reg [ADDR_WIDTH-1:0] a;
    reg                  present;
    if (rst) begin
        rq_wr        <= {(RQW+1){1'b0}};
        rq_rd        <= {(RQW+1){1'b0}};
        r_more       <= 1'b0;
        s_axi_rvalid <= 1'b0;
        s_axi_rlast  <= 1'b0;
    end else begin
        if (ar_fire) begin
            rq_addr[rq_wr[RQW-1:0]]  <= s_axi_araddr;
            rq_len[rq_wr[RQW-1:0]]   <= s_axi_arlen;
            rq_size[rq_wr[RQW-1:0]]  <= s_axi_arsize;
            rq_burst[rq_wr[RQW-1:0]] <= s_axi_arburst;
            rq_id[rq_wr[RQW-1:0]]    <= s_axi_arid;
            rq_due[rq_wr[RQW-1:0]]   <= cyc + 32'd1 + rd_lat;
            rq_wr <= rq_wr + 1'b1;
        end
        if (r_advance) begin
            present = 1'b0;
            a = r_addr;
            if (r_more) begin
                present = 1'b1;
                s_axi_rid   <= r_id;
                s_axi_rlast <= (r_left == 8'd1);
                r_more      <= (r_left != 8'd1);
                r_left      <= r_left - 8'd1;
                r_addr      <= next_addr(r_addr, r_size, r_burst);
            end else if (rq_due_now) begin
                present = 1'b1;
                a = rq_addr[rq_rd[RQW-1:0]];
                s_axi_rid   <= rq_id[rq_rd[RQW-1:0]];
                s_axi_rlast <= (rq_len[rq_rd[RQW-1:0]] == 8'd0);
                r_more      <= (rq_len[rq_rd[RQW-1:0]] != 8'd0);
                r_left      <= rq_len[rq_rd[RQW-1:0]];
                r_size      <= rq_size[rq_rd[RQW-1:0]];
                r_burst     <= rq_burst[rq_rd[RQW-1:0]];
                r_id        <= rq_id[rq_rd[RQW-1:0]];
                r_addr      <= next_addr(a, rq_size[rq_rd[RQW-1:0]], rq_burst[rq_rd[RQW-1:0]]);
                rq_rd       <= rq_rd + 1'b1;
            end
            s_axi_rvalid <= present;
            if (present) begin
                s_axi_rdata <= mem[word_of(a)];
                s_axi_rresp <= in_range(a) ? RESP_OKAY : RESP_DECERR;
            end
        end
    end
end

// ---------------------------------------------------------------- write address queue
reg [ADDR_WIDTH-1:0] wq_addr  [0:WR_QUEUE-1];
reg [7:0]            wq_len   [0:WR_QUEUE-1];
reg [2:0]            wq_size  [0:WR_QUEUE-1];
reg [1:0]            wq_burst [0:WR_QUEUE-1];
reg [ID_WIDTH-1:0]   wq_id    [0:WR_QUEUE-1];
reg [WQW:0]          wq_wr, wq_rd;

wire wq_empty = (wq_wr == wq_rd);
wire wq_full  = (wq_wr[WQW-1:0] == wq_rd[WQW-1:0]) && (wq_wr[WQW] != wq_rd[WQW]);
wire aw_fire  = s_axi_awvalid && !wq_full;

assign s_axi_awready = !wq_full;

// B queue
reg [ID_WIDTH-1:0] bq_id   [0:B_QUEUE-1];
reg [1:0]          bq_resp [0:B_QUEUE-1];
reg [BQW:0]        bq_wr, bq_rd;
wire bq_empty = (bq_wr == bq_rd);
wire bq_full  = (bq_wr[BQW-1:0] == bq_rd[BQW-1:0]) && (bq_wr[BQW] != bq_rd[BQW]);

assign s_axi_bvalid = !bq_empty;
assign s_axi_bid    = bq_id[bq_rd[BQW-1:0]];
assign s_axi_bresp  = bq_resp[bq_rd[BQW-1:0]];

// the burst W beats go to: the one in progress, else the queue head, else the AW arriving now
reg                  w_more;   // a burst is in progress (its first beat has been accepted)
reg [ADDR_WIDTH-1:0] w_addr;
reg [7:0]            w_left;
reg [2:0]            w_size;
reg [1:0]            w_burst;
reg [ID_WIDTH-1:0]   w_id;
reg                  w_err;

wire                  w_from_q   = !w_more && !wq_empty;
wire                  w_from_aw  = !w_more && wq_empty && s_axi_awvalid;
wire                  w_known    = w_more || w_from_q || w_from_aw;
wire [ADDR_WIDTH-1:0] w_beat_addr = w_more   ? w_addr
                                  : w_from_q ? wq_addr[wq_rd[WQW-1:0]] : s_axi_awaddr;
wire [7:0]            w_beat_left = w_more   ? w_left
                                  : w_from_q ? wq_len[wq_rd[WQW-1:0]] : s_axi_awlen;
wire [2:0]            w_beat_size = w_more   ? w_size
                                  : w_from_q ? wq_size[wq_rd[WQW-1:0]] : s_axi_awsize;
wire [1:0]            w_beat_burst = w_more   ? w_burst
                                   : w_from_q ? wq_burst[wq_rd[WQW-1:0]] : s_axi_awburst;
wire [ID_WIDTH-1:0]   w_beat_id   = w_more   ? w_id
                                  : w_from_q ? wq_id[wq_rd[WQW-1:0]] : s_axi_awid;
wire                  w_beat_last = (w_beat_left == 8'd0);

assign s_axi_wready = w_known && !bq_full;
wire w_fire = s_axi_wvalid && s_axi_wready;

always @(posedge clk) begin : wr_proc
    integer k;
    reg     err;
    if (rst) begin
        wq_wr  <= {(WQW+1){1'b0}};
        wq_rd  <= {(WQW+1){1'b0}};
        bq_wr  <= {(BQW+1){1'b0}};
        bq_rd  <= {(BQW+1){1'b0}};
        w_more <= 1'b0;
        w_err  <= 1'b0;
    end else begin
        // an AW that a W beat takes directly (w_from_aw) does not enter the queue
        if (aw_fire && !(w_from_aw && w_fire)) begin
            wq_addr[wq_wr[WQW-1:0]]  <= s_axi_awaddr;
            wq_len[wq_wr[WQW-1:0]]   <= s_axi_awlen;
            wq_size[wq_wr[WQW-1:0]]  <= s_axi_awsize;
            wq_burst[wq_wr[WQW-1:0]] <= s_axi_awburst;
            wq_id[wq_wr[WQW-1:0]]    <= s_axi_awid;
            wq_wr <= wq_wr + 1'b1;
        end
        if (w_fire) begin
            if (w_from_q) wq_rd <= wq_rd + 1'b1;
            if (in_range(w_beat_addr)) begin
                for (k = 0; k < DB; k = k + 1) begin
                    if (s_axi_wstrb[k]) mem[word_of(w_beat_addr)][8*k +: 8] <= s_axi_wdata[8*k +: 8];
                end
            end
            err = (w_more && w_err) || !in_range(w_beat_addr);
            w_addr  <= next_addr(w_beat_addr, w_beat_size, w_beat_burst);
            w_left  <= w_beat_left - 8'd1;
            w_size  <= w_beat_size;
            w_burst <= w_beat_burst;
            w_id    <= w_beat_id;
            w_err   <= err;
            w_more  <= !w_beat_last;
            if (w_beat_last) begin
                bq_id[bq_wr[BQW-1:0]]   <= w_beat_id;
                bq_resp[bq_wr[BQW-1:0]] <= err ? RESP_DECERR : RESP_OKAY;
                bq_wr <= bq_wr + 1'b1;
            end
        end
        if (s_axi_bvalid && s_axi_bready) bq_rd <= bq_rd + 1'b1;
    end
end

// ---------------------------------------------------------------- statistics
always @(posedge clk) begin
    if (rst) begin
        cyc <= 32'd0;
    end else begin
        cyc <= cyc + 32'd1;
    end
    if (rst || stat_clear) begin
        st_ar_full <= 32'd0;
        st_aw_full <= 32'd0;
        st_w_stall <= 32'd0;
        st_w_early <= 32'd0;
        st_r_held  <= 32'd0;
        st_oob     <= 32'd0;
        st_proto   <= 32'd0;
    end else begin
        if (s_axi_arvalid && !s_axi_arready) st_ar_full <= st_ar_full + 32'd1;
        if (s_axi_awvalid && !s_axi_awready) st_aw_full <= st_aw_full + 32'd1;
        if (s_axi_wvalid && w_known && !s_axi_wready) st_w_stall <= st_w_stall + 32'd1;
        if (s_axi_wvalid && !w_known) st_w_early <= st_w_early + 32'd1;
        if (s_axi_rvalid && !s_axi_rready) st_r_held <= st_r_held + 32'd1;
        if ((w_fire && !in_range(w_beat_addr))
            || (s_axi_rvalid && s_axi_rready && s_axi_rresp != RESP_OKAY)) begin
            st_oob <= st_oob + 32'd1;
        end
        if ((w_fire && (s_axi_wlast != w_beat_last))
            || (aw_fire && s_axi_awburst == BURST_WRAP)
            || (ar_fire && s_axi_arburst == BURST_WRAP)) begin
            st_proto <= st_proto + 32'd1;
        end
    end
end

endmodule

`resetall
