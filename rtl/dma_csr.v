// AXI4-Lite slave and global register file.
//
// Register offsets come from the generated dma_regs.vh (single source: dma_regs.rdl). Global
// registers live here; a channel's block is forwarded to that channel as a write strobe plus a
// combinational read of its registers, so the channel owns every bit of its own state. Blocks of
// channels >= CHANNELS and unmapped offsets read 0 and ignore writes; every access answers OKAY.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_csr #(
    parameter integer CHANNELS        = 4,     // channels present (CONFIG, channel blocks)
    parameter integer DATA_WIDTH      = 64,    // AXI data bits (CONFIG.DATA_BYTES)
    parameter integer ADDR_WIDTH      = 32,    // AXI address bits (CONFIG.ADDR_WIDTH)
    parameter integer MAX_XOR_SRCS    = 8,     // XOR sources per descriptor (CONFIG)
    parameter integer AXIL_ADDR_WIDTH = 12     // AXI-Lite address bits: 12
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

    input  wire [CHANNELS-1:0]        irq,

    output reg  [CHANNELS-1:0]        ch_wr,
    output wire [6:0]                 ch_wr_addr,
    output wire [31:0]                ch_wdata,
    output wire [3:0]                 ch_wstrb,
    output wire [6:0]                 ch_rd_addr,
    input  wire [CHANNELS*32-1:0]     ch_rdata
);

`include "dma_regs.vh"
`include "dma_functions.vh"

initial begin
    if (AXIL_ADDR_WIDTH != 12) begin
        $error("dma_csr: AXIL_ADDR_WIDTH must be 12 (4 KiB register window)");
        $finish;
    end
end

localparam [4:0]  CFG_CH   = CHANNELS[4:0];
localparam [4:0]  CFG_XOR  = MAX_XOR_SRCS[4:0];
localparam integer DBYTES  = DATA_WIDTH / 8;
localparam [7:0]  CFG_DB   = DBYTES[7:0];
localparam [6:0]  CFG_AW   = ADDR_WIDTH[6:0];
localparam [31:0] CONFIG_VALUE = {1'b0, CFG_AW, CFG_DB, 3'b000, CFG_XOR, 3'b000, CFG_CH};
localparam [4:0]  NCH      = CHANNELS[4:0];

// channel index + 1 of a register address, 0 when it is not in a present channel's block
function [4:0] ch_of;
    input [11:0] a;
    reg   [4:0]  blk;
    begin
        blk = a[11:7] - DMA_CH_BASE[11:7];
        if (a >= DMA_CH_BASE && blk < NCH) begin
            ch_of = blk + 5'd1;
        end else begin
            ch_of = 5'd0;
        end
    end
endfunction

// ---------------------------------------------------------------- write
reg         bvalid_q;
reg  [31:0] scratch_q;

wire        wr_fire = s_axil_awvalid && s_axil_wvalid && !bvalid_q;
wire [11:0] wa      = {s_axil_awaddr[11:2], 2'b00};
wire [4:0]  wch     = ch_of(wa);

assign s_axil_awready = wr_fire;
assign s_axil_wready  = wr_fire;
assign s_axil_bvalid  = bvalid_q;
assign s_axil_bresp   = 2'b00;

assign ch_wr_addr = wa[6:0];
assign ch_wdata   = s_axil_wdata;
assign ch_wstrb   = s_axil_wstrb;

integer c;
always @* begin
    ch_wr = {CHANNELS{1'b0}};
    for (c = 0; c < CHANNELS; c = c + 1) begin
        if (wr_fire && wch == c[4:0] + 5'd1) ch_wr[c] = 1'b1;
    end
end

always @(posedge clk) begin
    if (rst) begin
        bvalid_q  <= 1'b0;
        scratch_q <= 32'd0;
    end else begin
        if (s_axil_bready) bvalid_q <= 1'b0;
        if (wr_fire) begin
            bvalid_q <= 1'b1;
            if (wa == DMA_REG_SCRATCH) begin
                scratch_q <= reg_merge(scratch_q, s_axil_wdata, strb_mask(s_axil_wstrb));
            end
        end
    end
end

// ---------------------------------------------------------------- read
reg         rvalid_q;
reg  [31:0] rdata_q;
reg  [31:0] rd_val;

wire        rd_fire = s_axil_arvalid && !rvalid_q;
wire [11:0] ra      = {s_axil_araddr[11:2], 2'b00};
wire [4:0]  rch     = ch_of(ra);
wire [31:0] irq32   = {{(32-CHANNELS){1'b0}}, irq};
wire [3:0]  rsel    = rch[3:0] - 4'd1;

assign ch_rd_addr     = ra[6:0];
assign s_axil_arready = rd_fire;
assign s_axil_rvalid  = rvalid_q;
assign s_axil_rdata   = rdata_q;
assign s_axil_rresp   = 2'b00;

always @* begin
    rd_val = 32'd0;
    if (rch != 5'd0) begin
        rd_val = ch_rdata[rsel*32 +: 32];
    end else begin
        case (ra)
            DMA_REG_ID:          rd_val = DMA_ID_VALUE;
            DMA_REG_VERSION:     rd_val = DMA_VERSION_VALUE;
            DMA_REG_CONFIG:      rd_val = CONFIG_VALUE;
            DMA_REG_CAPS:        rd_val = DMA_CAPS_VALUE;
            DMA_REG_SCRATCH:     rd_val = scratch_q;
            DMA_REG_IRQ_SUMMARY: rd_val = {16'd0, irq32[15:0]};
            DMA_REG_MAX_LEN:     rd_val = DMA_MAX_LEN_VALUE;
            default:             rd_val = 32'd0;
        endcase
    end
end

always @(posedge clk) begin
    if (rst) begin
        rvalid_q <= 1'b0;
        rdata_q  <= 32'd0;
    end else begin
        if (s_axil_rready) rvalid_q <= 1'b0;
        if (rd_fire) begin
            rvalid_q <= 1'b1;
            rdata_q  <= rd_val;
        end
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{s_axil_awprot, s_axil_arprot, s_axil_awaddr[1:0], s_axil_araddr[1:0],
                   irq32[31:16]};  // no protection levels; word addressing
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
