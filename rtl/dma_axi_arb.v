// Shared AXI4 master: round-robin arbitration between NREQ requestors at burst granularity.
//
// Requestor i owns AXI ID i on both the read and the write side, so responses (R, B) are routed
// back by ID without any bookkeeping, and each requestor sees its own responses in order.
// AR and AW each go through one output register: the grant is taken when the register is free
// (or being emptied), so the bus side never changes a valid address and back-to-back bursts
// issue every cycle. W follows AW order through a small owner FIFO, so the next burst's address
// is accepted while the current burst's data is still streaming (no bubble between bursts).
// The rotating pointer moves past the requestor just granted: no requestor waits for more than
// NREQ - 1 other bursts (no starvation).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_axi_arb #(
    parameter integer NREQ       = 2,
    parameter integer DATA_WIDTH = 64,
    parameter integer ADDR_WIDTH = 32,
    parameter integer ID_WIDTH   = 8,
    parameter integer W_FIFO_DEPTH = 4
) (
    input  wire                        clk,
    input  wire                        rst,

    // requestor side (flattened, requestor i at slice i)
    input  wire [NREQ*ADDR_WIDTH-1:0]  s_ar_addr,
    input  wire [NREQ*8-1:0]           s_ar_len,
    input  wire [NREQ-1:0]             s_ar_valid,
    output reg  [NREQ-1:0]             s_ar_ready,
    output wire [DATA_WIDTH-1:0]       s_r_data,
    output wire [1:0]                  s_r_resp,
    output wire                        s_r_last,
    output reg  [NREQ-1:0]             s_r_valid,
    input  wire [NREQ-1:0]             s_r_ready,
    input  wire [NREQ*ADDR_WIDTH-1:0]  s_aw_addr,
    input  wire [NREQ*8-1:0]           s_aw_len,
    input  wire [NREQ-1:0]             s_aw_valid,
    output reg  [NREQ-1:0]             s_aw_ready,
    input  wire [NREQ*DATA_WIDTH-1:0]  s_w_data,
    input  wire [NREQ*DATA_WIDTH/8-1:0] s_w_strb,
    input  wire [NREQ-1:0]             s_w_last,
    input  wire [NREQ-1:0]             s_w_valid,
    output reg  [NREQ-1:0]             s_w_ready,
    output wire [1:0]                  s_b_resp,
    output reg  [NREQ-1:0]             s_b_valid,
    input  wire [NREQ-1:0]             s_b_ready,

    // AXI4 master
    output wire [ID_WIDTH-1:0]         m_axi_awid,
    output wire [ADDR_WIDTH-1:0]       m_axi_awaddr,
    output wire [7:0]                  m_axi_awlen,
    output wire [2:0]                  m_axi_awsize,
    output wire [1:0]                  m_axi_awburst,
    output wire                        m_axi_awlock,
    output wire [3:0]                  m_axi_awcache,
    output wire [2:0]                  m_axi_awprot,
    output wire                        m_axi_awvalid,
    input  wire                        m_axi_awready,
    output wire [DATA_WIDTH-1:0]       m_axi_wdata,
    output wire [DATA_WIDTH/8-1:0]     m_axi_wstrb,
    output wire                        m_axi_wlast,
    output wire                        m_axi_wvalid,
    input  wire                        m_axi_wready,
    input  wire [ID_WIDTH-1:0]         m_axi_bid,
    input  wire [1:0]                  m_axi_bresp,
    input  wire                        m_axi_bvalid,
    output wire                        m_axi_bready,
    output wire [ID_WIDTH-1:0]         m_axi_arid,
    output wire [ADDR_WIDTH-1:0]       m_axi_araddr,
    output wire [7:0]                  m_axi_arlen,
    output wire [2:0]                  m_axi_arsize,
    output wire [1:0]                  m_axi_arburst,
    output wire                        m_axi_arlock,
    output wire [3:0]                  m_axi_arcache,
    output wire [2:0]                  m_axi_arprot,
    output wire                        m_axi_arvalid,
    input  wire                        m_axi_arready,
    input  wire [ID_WIDTH-1:0]         m_axi_rid,
    input  wire [DATA_WIDTH-1:0]       m_axi_rdata,
    input  wire [1:0]                  m_axi_rresp,
    input  wire                        m_axi_rlast,
    input  wire                        m_axi_rvalid,
    output wire                        m_axi_rready
);

localparam integer DB    = DATA_WIDTH / 8;
localparam integer IW    = (NREQ > 1) ? $clog2(NREQ) : 1;
localparam [2:0]   SIZE  = (DB == 4) ? 3'd2 : (DB == 8) ? 3'd3 : (DB == 16) ? 3'd4 : 3'd5;
localparam integer NREQ_M1 = NREQ - 1;
localparam [IW:0]  NREQ_W  = NREQ[IW:0];
localparam [IW-1:0] LAST_RQ = NREQ_M1[IW-1:0];

initial begin
    if (NREQ < 1 || NREQ > 32) begin
        $error("dma_axi_arb: NREQ must be 1..32");
        $finish;
    end
    if (ID_WIDTH < IW) begin
        $error("dma_axi_arb: ID_WIDTH too small for NREQ requestors");
        $finish;
    end
end

// ---------------------------------------------------------------- round-robin pick
reg [IW-1:0] ar_ptr_q, ar_ptr_d, aw_ptr_q, aw_ptr_d;
reg [IW-1:0] ar_sel, aw_sel;
reg          ar_found, aw_found;
reg  [IW:0]  idx;
integer      i;

always @* begin
    ar_sel   = {IW{1'b0}};
    ar_found = 1'b0;
    aw_sel   = {IW{1'b0}};
    aw_found = 1'b0;
    for (i = 0; i < NREQ; i = i + 1) begin
        idx = i[IW:0] + {1'b0, ar_ptr_q};
        if (idx >= NREQ_W) idx = idx - NREQ_W;
        if (!ar_found && s_ar_valid[idx[IW-1:0]]) begin
            ar_found = 1'b1;
            ar_sel   = idx[IW-1:0];
        end
        idx = i[IW:0] + {1'b0, aw_ptr_q};
        if (idx >= NREQ_W) idx = idx - NREQ_W;
        if (!aw_found && s_aw_valid[idx[IW-1:0]]) begin
            aw_found = 1'b1;
            aw_sel   = idx[IW-1:0];
        end
    end
end

// ---------------------------------------------------------------- AR
reg                  ar_valid_q, ar_valid_d;
reg [ADDR_WIDTH-1:0] ar_addr_q, ar_addr_d;
reg [7:0]            ar_len_q, ar_len_d;
reg [IW-1:0]         ar_id_q, ar_id_d;

wire ar_load = ar_found && (!ar_valid_q || m_axi_arready);

always @* begin
    ar_valid_d = ar_valid_q;
    ar_addr_d  = ar_addr_q;
    ar_len_d   = ar_len_q;
    ar_id_d    = ar_id_q;
    ar_ptr_d   = ar_ptr_q;
    s_ar_ready = {NREQ{1'b0}};
    if (m_axi_arready) begin
        ar_valid_d = 1'b0;
    end
    if (ar_load) begin
        ar_valid_d = 1'b1;
        ar_addr_d  = s_ar_addr[ar_sel*ADDR_WIDTH +: ADDR_WIDTH];
        ar_len_d   = s_ar_len[ar_sel*8 +: 8];
        ar_id_d    = ar_sel;
        ar_ptr_d   = (ar_sel == LAST_RQ) ? {IW{1'b0}} : ar_sel + 1'b1;
        s_ar_ready[ar_sel] = 1'b1;
    end
end

assign m_axi_arid    = {{(ID_WIDTH-IW){1'b0}}, ar_id_q};
assign m_axi_araddr  = ar_addr_q;
assign m_axi_arlen   = ar_len_q;
assign m_axi_arsize  = SIZE;
assign m_axi_arburst = 2'b01;
assign m_axi_arlock  = 1'b0;
assign m_axi_arcache = 4'b0011;
assign m_axi_arprot  = 3'b000;
assign m_axi_arvalid = ar_valid_q;

// R: route by ID
wire [IW-1:0] r_idx   = m_axi_rid[IW-1:0];
wire          r_known;

assign s_r_data = m_axi_rdata;
assign s_r_resp = m_axi_rresp;
assign s_r_last = m_axi_rlast;
always @* begin
    s_r_valid = {NREQ{1'b0}};
    if (r_known) s_r_valid[r_idx] = m_axi_rvalid;
end
// an unknown ID cannot happen with a conforming slave; drop such beats rather than hang
assign m_axi_rready = m_axi_rvalid && (!r_known || r_ready_pad[r_idx]);

// ---------------------------------------------------------------- AW + W
reg                  aw_valid_q, aw_valid_d;
reg [ADDR_WIDTH-1:0] aw_addr_q, aw_addr_d;
reg [7:0]            aw_len_q, aw_len_d;
reg [IW-1:0]         aw_id_q, aw_id_d;

wire          wo_s_ready, wo_m_valid;
wire [IW-1:0] wo_owner;
wire          aw_load = aw_found && (!aw_valid_q || m_axi_awready) && wo_s_ready;

always @* begin
    aw_valid_d = aw_valid_q;
    aw_addr_d  = aw_addr_q;
    aw_len_d   = aw_len_q;
    aw_id_d    = aw_id_q;
    aw_ptr_d   = aw_ptr_q;
    s_aw_ready = {NREQ{1'b0}};
    if (m_axi_awready) begin
        aw_valid_d = 1'b0;
    end
    if (aw_load) begin
        aw_valid_d = 1'b1;
        aw_addr_d  = s_aw_addr[aw_sel*ADDR_WIDTH +: ADDR_WIDTH];
        aw_len_d   = s_aw_len[aw_sel*8 +: 8];
        aw_id_d    = aw_sel;
        aw_ptr_d   = (aw_sel == LAST_RQ) ? {IW{1'b0}} : aw_sel + 1'b1;
        s_aw_ready[aw_sel] = 1'b1;
    end
end

/* verilator lint_off PINCONNECTEMPTY */ // the owner queue's fill level is not needed here
dma_fifo #(
    .WIDTH(IW),
    .DEPTH(W_FIFO_DEPTH)
) u_w_owner (
    .clk    (clk),
    .rst    (rst),
    .clr    (1'b0),
    .s_data (aw_sel),
    .s_valid(aw_load),
    .s_ready(wo_s_ready),
    .m_data (wo_owner),
    .m_valid(wo_m_valid),
    .m_ready(m_axi_wvalid && m_axi_wready && m_axi_wlast),
    .count  ()
);
/* verilator lint_on PINCONNECTEMPTY */

assign m_axi_awid    = {{(ID_WIDTH-IW){1'b0}}, aw_id_q};
assign m_axi_awaddr  = aw_addr_q;
assign m_axi_awlen   = aw_len_q;
assign m_axi_awsize  = SIZE;
assign m_axi_awburst = 2'b01;
assign m_axi_awlock  = 1'b0;
assign m_axi_awcache = 4'b0011;
assign m_axi_awprot  = 3'b000;
assign m_axi_awvalid = aw_valid_q;

assign m_axi_wdata  = s_w_data[wo_owner*DATA_WIDTH +: DATA_WIDTH];
assign m_axi_wstrb  = s_w_strb[wo_owner*DB +: DB];
assign m_axi_wlast  = s_w_last[wo_owner];
assign m_axi_wvalid = wo_m_valid && s_w_valid[wo_owner];
always @* begin
    s_w_ready = {NREQ{1'b0}};
    s_w_ready[wo_owner] = wo_m_valid && m_axi_wready;
end

// B: route by ID
wire [IW-1:0] b_idx   = m_axi_bid[IW-1:0];
wire          b_known;

assign s_b_resp = m_axi_bresp;
always @* begin
    s_b_valid = {NREQ{1'b0}};
    if (b_known) s_b_valid[b_idx] = m_axi_bvalid;
end
assign m_axi_bready = m_axi_bvalid && (!b_known || b_ready_pad[b_idx]);

// IDs this arbiter never issued cannot come back from a conforming slave; should one appear,
// its beats are accepted and dropped rather than hanging the bus.
localparam integer NP = 1 << IW;
wire [NP-1:0] r_ready_pad, b_ready_pad, id_used;
generate
    if (NP > NREQ) begin : gen_pad
        assign r_ready_pad = {{(NP-NREQ){1'b1}}, s_r_ready};
        assign b_ready_pad = {{(NP-NREQ){1'b1}}, s_b_ready};
        assign id_used     = {{(NP-NREQ){1'b0}}, {NREQ{1'b1}}};
    end else begin : gen_nopad
        assign r_ready_pad = s_r_ready;
        assign b_ready_pad = s_b_ready;
        assign id_used     = {NP{1'b1}};
    end
    if (ID_WIDTH > IW) begin : gen_id_hi
        assign r_known = !(|m_axi_rid[ID_WIDTH-1:IW]) && id_used[r_idx];
        assign b_known = !(|m_axi_bid[ID_WIDTH-1:IW]) && id_used[b_idx];
    end else begin : gen_id_exact
        assign r_known = id_used[r_idx];
        assign b_known = id_used[b_idx];
    end
endgenerate

// ---------------------------------------------------------------- registers
always @(posedge clk) begin
    if (rst) begin
        ar_valid_q <= 1'b0;
        aw_valid_q <= 1'b0;
        ar_ptr_q   <= {IW{1'b0}};
        aw_ptr_q   <= {IW{1'b0}};
    end else begin
        ar_valid_q <= ar_valid_d;
        aw_valid_q <= aw_valid_d;
        ar_ptr_q   <= ar_ptr_d;
        aw_ptr_q   <= aw_ptr_d;
    end
    // address registers only change when loaded (skipping the idle loads keeps simulation fast)
    if (ar_load) begin
        ar_addr_q <= ar_addr_d;
        ar_len_q  <= ar_len_d;
        ar_id_q   <= ar_id_d;
    end
    if (aw_load) begin
        aw_addr_q <= aw_addr_d;
        aw_len_q  <= aw_len_d;
        aw_id_q   <= aw_id_d;
    end
end

endmodule

`resetall
