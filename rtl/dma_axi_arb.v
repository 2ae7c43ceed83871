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
    parameter integer NREQ         = 2,    // requestors: 1..32 (requestor i uses AXI ID i)
    parameter integer DATA_WIDTH   = 64,   // AXI data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH   = 32,   // AXI address bits
    parameter integer ID_WIDTH     = 8,    // AXI ID bits: at least log2(NREQ)
    parameter integer W_FIFO_DEPTH = 4     // write bursts whose address may run ahead of W
) (
    input  wire                        clk,
    input  wire                        rst,

    // requestor side (flattened, requestor i at slice i)
    input  wire [NREQ*ADDR_WIDTH-1:0]  s_ar_addr,
    input  wire [NREQ*8-1:0]           s_ar_len,
    input  wire [NREQ-1:0]             s_ar_valid,
    output wire [NREQ-1:0]             s_ar_ready,
    output wire [DATA_WIDTH-1:0]       s_r_data,
    output wire [1:0]                  s_r_resp,
    output wire                        s_r_last,
    output reg  [NREQ-1:0]             s_r_valid,
    input  wire [NREQ-1:0]             s_r_ready,
    input  wire [NREQ*ADDR_WIDTH-1:0]  s_aw_addr,
    input  wire [NREQ*8-1:0]           s_aw_len,
    input  wire [NREQ-1:0]             s_aw_valid,
    output wire [NREQ-1:0]             s_aw_ready,
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

// ---------------------------------------------------------------- AR
wire                  ar_valid;
wire [ADDR_WIDTH-1:0] ar_addr;
wire [7:0]            ar_len;
wire [IW-1:0]         ar_id;
/* verilator lint_off PINCONNECTEMPTY */ // AR needs neither the pick nor its load strobe
dma_rr_addr #(
    .NREQ      (NREQ),
    .ADDR_WIDTH(ADDR_WIDTH),
    .IW        (IW)
) u_ar (
    .clk    (clk),
    .rst    (rst),
    .s_valid(s_ar_valid),
    .s_addr (s_ar_addr),
    .s_len  (s_ar_len),
    .s_ready(s_ar_ready),
    .accept (1'b1),
    .sel    (),
    .load   (),
    .m_addr (ar_addr),
    .m_len  (ar_len),
    .m_id   (ar_id),
    .m_valid(ar_valid),
    .m_ready(m_axi_arready)
);
/* verilator lint_on PINCONNECTEMPTY */

assign m_axi_arid    = {{(ID_WIDTH-IW){1'b0}}, ar_id};
assign m_axi_araddr  = ar_addr;
assign m_axi_arlen   = ar_len;
assign m_axi_arsize  = SIZE;
assign m_axi_arburst = 2'b01;
assign m_axi_arlock  = 1'b0;
assign m_axi_arcache = 4'b0011;
assign m_axi_arprot  = 3'b000;
assign m_axi_arvalid = ar_valid;

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
wire                  aw_valid;
wire [ADDR_WIDTH-1:0] aw_addr;
wire [7:0]            aw_len;
wire [IW-1:0]         aw_id;
wire [IW-1:0]         aw_sel;
wire                  aw_load;

wire          wo_s_ready, wo_m_valid;
wire [IW-1:0] wo_owner;
// the W owner queue must have room for every AW taken, so W beats follow AW order
dma_rr_addr #(
    .NREQ      (NREQ),
    .ADDR_WIDTH(ADDR_WIDTH),
    .IW        (IW)
) u_aw (
    .clk    (clk),
    .rst    (rst),
    .s_valid(s_aw_valid),
    .s_addr (s_aw_addr),
    .s_len  (s_aw_len),
    .s_ready(s_aw_ready),
    .accept (wo_s_ready),
    .sel    (aw_sel),
    .load   (aw_load),
    .m_addr (aw_addr),
    .m_len  (aw_len),
    .m_id   (aw_id),
    .m_valid(aw_valid),
    .m_ready(m_axi_awready)
);

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

assign m_axi_awid    = {{(ID_WIDTH-IW){1'b0}}, aw_id};
assign m_axi_awaddr  = aw_addr;
assign m_axi_awlen   = aw_len;
assign m_axi_awsize  = SIZE;
assign m_axi_awburst = 2'b01;
assign m_axi_awlock  = 1'b0;
assign m_axi_awcache = 4'b0011;
assign m_axi_awprot  = 3'b000;
assign m_axi_awvalid = aw_valid;

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

endmodule

`resetall
