// dmasim: multi-channel descriptor DMA controller (MEMCPY, XOR, XOR_VAL, FILL, INTERRUPT).
//
// Structure: dma_csr (AXI4-Lite registers) -> CHANNELS x dma_chan (ring fetch, decode, completion,
// interrupts, errors; each with its own dma_mover data engine) -> dma_axi_arb (one AXI4 master,
// round-robin per burst). Channel n uses AXI IDs 2n (descriptors, status) and 2n+1 (data).
// docs/descriptor.md is the behavioural specification; rtl/dma_regs.rdl the register map.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_top #(
    parameter integer CHANNELS        = 4,     // DMA channels: 1..16
    parameter integer DATA_WIDTH      = 64,    // AXI data bits: 32, 64 or 128
    parameter integer ADDR_WIDTH      = 32,    // AXI address bits: 32..64
    parameter integer MAX_XOR_SRCS    = 8,     // XOR sources per descriptor: 2..16
    parameter integer ID_WIDTH        = 8,     // AXI ID bits: must hold 2 * CHANNELS IDs
    parameter integer AXIL_ADDR_WIDTH = 12,    // AXI-Lite address bits: 12 (4 KiB registers)
    parameter integer MAX_BURST_LEN   = 16,    // beats per AXI burst: power of two, 2..256
    parameter integer BUF_BLOCKS      = 8,     // per-channel block buffers (latency tolerance)
    parameter integer RD_TRACK        = 16,    // per-channel outstanding read bursts
    parameter integer SQ_DEPTH        = 8      // per-channel prefetched descriptor slots
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

localparam integer DB   = DATA_WIDTH / 8;
localparam integer NREQ = 2 * CHANNELS;

initial begin
    if (CHANNELS < 1 || CHANNELS > 16) begin
        $error("dma_top: CHANNELS must be 1..16");
        $finish;
    end
    if (DATA_WIDTH != 32 && DATA_WIDTH != 64 && DATA_WIDTH != 128) begin
        $error("dma_top: DATA_WIDTH must be 32, 64 or 128");
        $finish;
    end
    if (ADDR_WIDTH < 32 || ADDR_WIDTH > 64) begin
        $error("dma_top: ADDR_WIDTH must be 32..64");
        $finish;
    end
    if (MAX_XOR_SRCS < 2 || MAX_XOR_SRCS > 16) begin
        $error("dma_top: MAX_XOR_SRCS must be 2..16");
        $finish;
    end
    if ((1 << ID_WIDTH) < NREQ) begin
        $error("dma_top: ID_WIDTH must hold 2 * CHANNELS IDs");
        $finish;
    end
    if (MAX_BURST_LEN < 2 || MAX_BURST_LEN > 256) begin
        $error("dma_top: MAX_BURST_LEN must be 2..256");
        $finish;
    end
end

// ---------------------------------------------------------------- registers
wire [CHANNELS-1:0]    ch_wr;
wire [6:0]             ch_wr_addr, ch_rd_addr;
wire [31:0]            ch_wdata;
wire [3:0]             ch_wstrb;
wire [CHANNELS*32-1:0] ch_rdata;

dma_csr #(
    .CHANNELS       (CHANNELS),
    .DATA_WIDTH     (DATA_WIDTH),
    .ADDR_WIDTH     (ADDR_WIDTH),
    .MAX_XOR_SRCS   (MAX_XOR_SRCS),
    .AXIL_ADDR_WIDTH(AXIL_ADDR_WIDTH)
) u_csr (
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
    .irq           (irq),
    .ch_wr         (ch_wr),
    .ch_wr_addr    (ch_wr_addr),
    .ch_wdata      (ch_wdata),
    .ch_wstrb      (ch_wstrb),
    .ch_rd_addr    (ch_rd_addr),
    .ch_rdata      (ch_rdata)
);

// ---------------------------------------------------------------- requestor buses
// requestor 2n: channel n control (descriptor fetch, status); 2n+1: channel n data
wire [NREQ*ADDR_WIDTH-1:0] rq_ar_addr, rq_aw_addr;
wire [NREQ*8-1:0]          rq_ar_len, rq_aw_len;
wire [NREQ-1:0]            rq_ar_valid, rq_ar_ready, rq_r_valid, rq_r_ready;
wire [NREQ-1:0]            rq_aw_valid, rq_aw_ready, rq_w_last, rq_w_valid, rq_w_ready;
wire [NREQ-1:0]            rq_b_valid, rq_b_ready;
wire [NREQ*DATA_WIDTH-1:0] rq_w_data;
wire [NREQ*DB-1:0]         rq_w_strb;
wire [DATA_WIDTH-1:0]      r_data;
wire [1:0]                 r_resp, b_resp;
wire                       r_last;

genvar n;
generate
    for (n = 0; n < CHANNELS; n = n + 1) begin : gen_ch
        dma_chan #(
            .DATA_WIDTH   (DATA_WIDTH),
            .ADDR_WIDTH   (ADDR_WIDTH),
            .MAX_XOR_SRCS (MAX_XOR_SRCS),
            .MAX_BURST_LEN(MAX_BURST_LEN),
            .BUF_BLOCKS   (BUF_BLOCKS),
            .RD_TRACK     (RD_TRACK),
            .SQ_DEPTH     (SQ_DEPTH)
        ) u_chan (
            .clk             (clk),
            .rst             (rst),
            .reg_wr          (ch_wr[n]),
            .reg_wr_addr     (ch_wr_addr),
            .reg_wdata       (ch_wdata),
            .reg_wstrb       (ch_wstrb),
            .reg_rd_addr     (ch_rd_addr),
            .reg_rdata       (ch_rdata[n*32 +: 32]),
            .irq             (irq[n]),

            .m_ctrl_ar_addr  (rq_ar_addr[(2*n)*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_ctrl_ar_len   (rq_ar_len[(2*n)*8 +: 8]),
            .m_ctrl_ar_valid (rq_ar_valid[2*n]),
            .m_ctrl_ar_ready (rq_ar_ready[2*n]),
            .m_ctrl_r_data   (r_data),
            .m_ctrl_r_resp   (r_resp),
            .m_ctrl_r_last   (r_last),
            .m_ctrl_r_valid  (rq_r_valid[2*n]),
            .m_ctrl_r_ready  (rq_r_ready[2*n]),
            .m_ctrl_aw_addr  (rq_aw_addr[(2*n)*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_ctrl_aw_len   (rq_aw_len[(2*n)*8 +: 8]),
            .m_ctrl_aw_valid (rq_aw_valid[2*n]),
            .m_ctrl_aw_ready (rq_aw_ready[2*n]),
            .m_ctrl_w_data   (rq_w_data[(2*n)*DATA_WIDTH +: DATA_WIDTH]),
            .m_ctrl_w_strb   (rq_w_strb[(2*n)*DB +: DB]),
            .m_ctrl_w_last   (rq_w_last[2*n]),
            .m_ctrl_w_valid  (rq_w_valid[2*n]),
            .m_ctrl_w_ready  (rq_w_ready[2*n]),
            .m_ctrl_b_resp   (b_resp),
            .m_ctrl_b_valid  (rq_b_valid[2*n]),
            .m_ctrl_b_ready  (rq_b_ready[2*n]),

            .m_data_ar_addr  (rq_ar_addr[(2*n+1)*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_data_ar_len   (rq_ar_len[(2*n+1)*8 +: 8]),
            .m_data_ar_valid (rq_ar_valid[2*n+1]),
            .m_data_ar_ready (rq_ar_ready[2*n+1]),
            .m_data_r_data   (r_data),
            .m_data_r_resp   (r_resp),
            .m_data_r_last   (r_last),
            .m_data_r_valid  (rq_r_valid[2*n+1]),
            .m_data_r_ready  (rq_r_ready[2*n+1]),
            .m_data_aw_addr  (rq_aw_addr[(2*n+1)*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_data_aw_len   (rq_aw_len[(2*n+1)*8 +: 8]),
            .m_data_aw_valid (rq_aw_valid[2*n+1]),
            .m_data_aw_ready (rq_aw_ready[2*n+1]),
            .m_data_w_data   (rq_w_data[(2*n+1)*DATA_WIDTH +: DATA_WIDTH]),
            .m_data_w_strb   (rq_w_strb[(2*n+1)*DB +: DB]),
            .m_data_w_last   (rq_w_last[2*n+1]),
            .m_data_w_valid  (rq_w_valid[2*n+1]),
            .m_data_w_ready  (rq_w_ready[2*n+1]),
            .m_data_b_resp   (b_resp),
            .m_data_b_valid  (rq_b_valid[2*n+1]),
            .m_data_b_ready  (rq_b_ready[2*n+1])
        );
    end
endgenerate

// ---------------------------------------------------------------- shared AXI master
dma_axi_arb #(
    .NREQ      (NREQ),
    .DATA_WIDTH(DATA_WIDTH),
    .ADDR_WIDTH(ADDR_WIDTH),
    .ID_WIDTH  (ID_WIDTH)
) u_arb (
    .clk          (clk),
    .rst          (rst),
    .s_ar_addr    (rq_ar_addr),
    .s_ar_len     (rq_ar_len),
    .s_ar_valid   (rq_ar_valid),
    .s_ar_ready   (rq_ar_ready),
    .s_r_data     (r_data),
    .s_r_resp     (r_resp),
    .s_r_last     (r_last),
    .s_r_valid    (rq_r_valid),
    .s_r_ready    (rq_r_ready),
    .s_aw_addr    (rq_aw_addr),
    .s_aw_len     (rq_aw_len),
    .s_aw_valid   (rq_aw_valid),
    .s_aw_ready   (rq_aw_ready),
    .s_w_data     (rq_w_data),
    .s_w_strb     (rq_w_strb),
    .s_w_last     (rq_w_last),
    .s_w_valid    (rq_w_valid),
    .s_w_ready    (rq_w_ready),
    .s_b_resp     (b_resp),
    .s_b_valid    (rq_b_valid),
    .s_b_ready    (rq_b_ready),
    .m_axi_awid   (m_axi_awid),
    .m_axi_awaddr (m_axi_awaddr),
    .m_axi_awlen  (m_axi_awlen),
    .m_axi_awsize (m_axi_awsize),
    .m_axi_awburst(m_axi_awburst),
    .m_axi_awlock (m_axi_awlock),
    .m_axi_awcache(m_axi_awcache),
    .m_axi_awprot (m_axi_awprot),
    .m_axi_awvalid(m_axi_awvalid),
    .m_axi_awready(m_axi_awready),
    .m_axi_wdata  (m_axi_wdata),
    .m_axi_wstrb  (m_axi_wstrb),
    .m_axi_wlast  (m_axi_wlast),
    .m_axi_wvalid (m_axi_wvalid),
    .m_axi_wready (m_axi_wready),
    .m_axi_bid    (m_axi_bid),
    .m_axi_bresp  (m_axi_bresp),
    .m_axi_bvalid (m_axi_bvalid),
    .m_axi_bready (m_axi_bready),
    .m_axi_arid   (m_axi_arid),
    .m_axi_araddr (m_axi_araddr),
    .m_axi_arlen  (m_axi_arlen),
    .m_axi_arsize (m_axi_arsize),
    .m_axi_arburst(m_axi_arburst),
    .m_axi_arlock (m_axi_arlock),
    .m_axi_arcache(m_axi_arcache),
    .m_axi_arprot (m_axi_arprot),
    .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready),
    .m_axi_rid    (m_axi_rid),
    .m_axi_rdata  (m_axi_rdata),
    .m_axi_rresp  (m_axi_rresp),
    .m_axi_rlast  (m_axi_rlast),
    .m_axi_rvalid (m_axi_rvalid),
    .m_axi_rready (m_axi_rready)
);

endmodule

`resetall
