// Test fixture for tb/axi_checker.py: dma_top's AXI4 master and AXI4-Lite slave ports with no
// logic behind them. Every port is an input, so a cocotb test plays both ends of each bus and
// can break any rule on purpose; the checker reads the wires as it does on dma_top.

`resetall
`timescale 1ns / 1ps
`default_nettype none

/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module axi_probe_top #(
    // dma_top's parameters (the runner passes them to every top); only the widths matter here
    parameter integer CHANNELS     = 4,
    parameter integer DATA_WIDTH   = 64,
    parameter integer ADDR_WIDTH   = 32,
    parameter integer MAX_XOR_SRCS = 8,
    parameter integer ID_WIDTH     = 8
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [11:0]             s_axil_awaddr,
    input  wire [2:0]              s_axil_awprot,
    input  wire                    s_axil_awvalid,
    input  wire                    s_axil_awready,
    input  wire [31:0]             s_axil_wdata,
    input  wire [3:0]              s_axil_wstrb,
    input  wire                    s_axil_wvalid,
    input  wire                    s_axil_wready,
    input  wire [1:0]              s_axil_bresp,
    input  wire                    s_axil_bvalid,
    input  wire                    s_axil_bready,
    input  wire [11:0]             s_axil_araddr,
    input  wire [2:0]              s_axil_arprot,
    input  wire                    s_axil_arvalid,
    input  wire                    s_axil_arready,
    input  wire [31:0]             s_axil_rdata,
    input  wire [1:0]              s_axil_rresp,
    input  wire                    s_axil_rvalid,
    input  wire                    s_axil_rready,

    input  wire [ID_WIDTH-1:0]     m_axi_awid,
    input  wire [ADDR_WIDTH-1:0]   m_axi_awaddr,
    input  wire [7:0]              m_axi_awlen,
    input  wire [2:0]              m_axi_awsize,
    input  wire [1:0]              m_axi_awburst,
    input  wire                    m_axi_awlock,
    input  wire [3:0]              m_axi_awcache,
    input  wire [2:0]              m_axi_awprot,
    input  wire                    m_axi_awvalid,
    input  wire                    m_axi_awready,
    input  wire [DATA_WIDTH-1:0]   m_axi_wdata,
    input  wire [DATA_WIDTH/8-1:0] m_axi_wstrb,
    input  wire                    m_axi_wlast,
    input  wire                    m_axi_wvalid,
    input  wire                    m_axi_wready,
    input  wire [ID_WIDTH-1:0]     m_axi_bid,
    input  wire [1:0]              m_axi_bresp,
    input  wire                    m_axi_bvalid,
    input  wire                    m_axi_bready,
    input  wire [ID_WIDTH-1:0]     m_axi_arid,
    input  wire [ADDR_WIDTH-1:0]   m_axi_araddr,
    input  wire [7:0]              m_axi_arlen,
    input  wire [2:0]              m_axi_arsize,
    input  wire [1:0]              m_axi_arburst,
    input  wire                    m_axi_arlock,
    input  wire [3:0]              m_axi_arcache,
    input  wire [2:0]              m_axi_arprot,
    input  wire                    m_axi_arvalid,
    input  wire                    m_axi_arready,
    input  wire [ID_WIDTH-1:0]     m_axi_rid,
    input  wire [DATA_WIDTH-1:0]   m_axi_rdata,
    input  wire [1:0]              m_axi_rresp,
    input  wire                    m_axi_rlast,
    input  wire                    m_axi_rvalid,
    input  wire                    m_axi_rready
);
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */

`resetall
