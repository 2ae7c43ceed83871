// dmasim DMA controller top level: REGISTER-ONLY PLACEHOLDER.
// Proves the build/test flow on both simulators with the full CONTRACT port list. It answers the
// identity registers and SCRATCH; it moves no data (the AXI master stays idle).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_top #(
    parameter integer CHANNELS        = 4,
    parameter integer DATA_WIDTH      = 64,
    parameter integer ADDR_WIDTH      = 32,
    parameter integer MAX_XOR_SRCS    = 8,
    parameter integer ID_WIDTH        = 8,
    parameter integer AXIL_ADDR_WIDTH = 12
) (
    input  wire                       clk,
    input  wire                       rst,

    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire [2:0]                 s_axil_awprot,
    input  wire                       s_axil_awvalid,
    output wire                       s_axil_awready,
    input  wire [31:0]                s_axil_wdata,
    input  wire [3:0]                 s_axil_wstrb,
    input  wire                       s_axil_wvalid,
    output wire                       s_axil_wready,
    output wire [1:0]                 s_axil_bresp,
    output wire                       s_axil_bvalid,
    input  wire                       s_axil_bready,
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire [2:0]                 s_axil_arprot,
    input  wire                       s_axil_arvalid,
    output wire                       s_axil_arready,
    output wire [31:0]                s_axil_rdata,
    output wire [1:0]                 s_axil_rresp,
    output wire                       s_axil_rvalid,
    input  wire                       s_axil_rready,

    output wire [ID_WIDTH-1:0]        m_axi_awid,
    output wire [ADDR_WIDTH-1:0]      m_axi_awaddr,
    output wire [7:0]                 m_axi_awlen,
    output wire [2:0]                 m_axi_awsize,
    output wire [1:0]                 m_axi_awburst,
    output wire                       m_axi_awlock,
    output wire [3:0]                 m_axi_awcache,
    output wire [2:0]                 m_axi_awprot,
    output wire                       m_axi_awvalid,
    input  wire                       m_axi_awready,
    output wire [DATA_WIDTH-1:0]      m_axi_wdata,
    output wire [DATA_WIDTH/8-1:0]    m_axi_wstrb,
    output wire                       m_axi_wlast,
    output wire                       m_axi_wvalid,
    input  wire                       m_axi_wready,
    input  wire [ID_WIDTH-1:0]        m_axi_bid,
    input  wire [1:0]                 m_axi_bresp,
    input  wire                       m_axi_bvalid,
    output wire                       m_axi_bready,
    output wire [ID_WIDTH-1:0]        m_axi_arid,
    output wire [ADDR_WIDTH-1:0]      m_axi_araddr,
    output wire [7:0]                 m_axi_arlen,
    output wire [2:0]                 m_axi_arsize,
    output wire [1:0]                 m_axi_arburst,
    output wire                       m_axi_arlock,
    output wire [3:0]                 m_axi_arcache,
    output wire [2:0]                 m_axi_arprot,
    output wire                       m_axi_arvalid,
    input  wire                       m_axi_arready,
    input  wire [ID_WIDTH-1:0]        m_axi_rid,
    input  wire [DATA_WIDTH-1:0]      m_axi_rdata,
    input  wire [1:0]                 m_axi_rresp,
    input  wire                       m_axi_rlast,
    input  wire                       m_axi_rvalid,
    output wire                       m_axi_rready,

    output wire [CHANNELS-1:0]        irq
);

`include "dma_regs.vh"

initial begin
    if (CHANNELS < 1 || CHANNELS > 16) $error("dma_top: CHANNELS must be 1..16");
    if (DATA_WIDTH != 32 && DATA_WIDTH != 64 && DATA_WIDTH != 128)
        $error("dma_top: DATA_WIDTH must be 32, 64 or 128");
    if (ADDR_WIDTH < 32 || ADDR_WIDTH > 64) $error("dma_top: ADDR_WIDTH must be 32..64");
    if (MAX_XOR_SRCS < 2 || MAX_XOR_SRCS > 16) $error("dma_top: MAX_XOR_SRCS must be 2..16");
end

// AXI4-Lite: accept a write when address and data are both present; one read at a time.
reg        bvalid_q, rvalid_q;
reg [31:0] rdata_q, scratch_q;

wire aw_fire = s_axil_awvalid && s_axil_wvalid && !bvalid_q;
wire ar_fire = s_axil_arvalid && !rvalid_q;

assign s_axil_awready = aw_fire;
assign s_axil_wready  = aw_fire;
assign s_axil_bresp   = 2'b00;
assign s_axil_bvalid  = bvalid_q;
assign s_axil_arready = ar_fire;
assign s_axil_rdata   = rdata_q;
assign s_axil_rresp   = 2'b00;
assign s_axil_rvalid  = rvalid_q;

wire [31:0] config_value = {1'b0, 7'(ADDR_WIDTH), 8'(DATA_WIDTH / 8), 3'b000,
                            5'(MAX_XOR_SRCS), 3'b000, 5'(CHANNELS)};

reg [31:0] rdata_d;
always @* begin
    case ({s_axil_araddr[AXIL_ADDR_WIDTH-1:2], 2'b00})
        DMA_REG_ID:      rdata_d = DMA_ID_VALUE;
        DMA_REG_VERSION: rdata_d = DMA_VERSION_VALUE;
        DMA_REG_CONFIG:  rdata_d = config_value;
        DMA_REG_CAPS:    rdata_d = 32'd0;  // the placeholder executes no descriptor
        DMA_REG_SCRATCH: rdata_d = scratch_q;
        DMA_REG_MAX_LEN: rdata_d = DMA_MAX_LEN_VALUE;
        default:         rdata_d = 32'd0;
    endcase
end

integer i;
always @(posedge clk) begin
    if (rst) begin
        bvalid_q  <= 1'b0;
        rvalid_q  <= 1'b0;
        rdata_q   <= 32'd0;
        scratch_q <= 32'd0;
    end else begin
        if (aw_fire) begin
            bvalid_q <= 1'b1;
            if ({s_axil_awaddr[AXIL_ADDR_WIDTH-1:2], 2'b00} == DMA_REG_SCRATCH) begin
                for (i = 0; i < 4; i = i + 1)
                    if (s_axil_wstrb[i]) scratch_q[i*8 +: 8] <= s_axil_wdata[i*8 +: 8];
            end
        end else if (s_axil_bready) begin
            bvalid_q <= 1'b0;
        end
        if (ar_fire) begin
            rvalid_q <= 1'b1;
            rdata_q  <= rdata_d;
        end else if (s_axil_rready) begin
            rvalid_q <= 1'b0;
        end
    end
end

// The placeholder never masters the memory bus.
assign m_axi_awid    = {ID_WIDTH{1'b0}};
assign m_axi_awaddr  = {ADDR_WIDTH{1'b0}};
assign m_axi_awlen   = 8'd0;
assign m_axi_awsize  = 3'd0;
assign m_axi_awburst = 2'b01;
assign m_axi_awlock  = 1'b0;
assign m_axi_awcache = 4'b0011;
assign m_axi_awprot  = 3'b000;
assign m_axi_awvalid = 1'b0;
assign m_axi_wdata   = {DATA_WIDTH{1'b0}};
assign m_axi_wstrb   = {(DATA_WIDTH/8){1'b0}};
assign m_axi_wlast   = 1'b0;
assign m_axi_wvalid  = 1'b0;
assign m_axi_bready  = 1'b1;
assign m_axi_arid    = {ID_WIDTH{1'b0}};
assign m_axi_araddr  = {ADDR_WIDTH{1'b0}};
assign m_axi_arlen   = 8'd0;
assign m_axi_arsize  = 3'd0;
assign m_axi_arburst = 2'b01;
assign m_axi_arlock  = 1'b0;
assign m_axi_arcache = 4'b0011;
assign m_axi_arprot  = 3'b000;
assign m_axi_arvalid = 1'b0;
assign m_axi_rready  = 1'b1;
assign irq           = {CHANNELS{1'b0}};

// Inputs the placeholder does not use.
wire unused = &{1'b0, s_axil_awprot, s_axil_arprot, m_axi_awready, m_axi_wready, m_axi_bid,
                m_axi_bresp, m_axi_bvalid, m_axi_arready, m_axi_rid, m_axi_rdata, m_axi_rresp,
                m_axi_rlast, m_axi_rvalid, s_axil_araddr[1:0], s_axil_awaddr[1:0]};

endmodule

`resetall
