// One channel's software-visible registers (rtl/dma_regs.rdl, docs/registers.md): configuration,
// TAIL and HEAD, interrupt cause and enable, coalescing settings, the error registers, and the
// read port. Also decodes the writes that are requests rather than settings (CTRL.ABORT,
// CTRL.RESET, a TAIL write the channel must refuse).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_chan_regs (
    input  wire        clk,
    input  wire        rst,

    // register access from dma_csr (offsets inside this channel's block)
    input  wire        reg_wr,
    input  wire [6:0]  reg_wr_addr,
    input  wire [31:0] reg_wdata,
    input  wire [3:0]  reg_wstrb,
    input  wire [6:0]  reg_rd_addr,
    output reg  [31:0] reg_rdata,

    // requests written this cycle
    output wire        abort_req,      // CTRL.ABORT
    output wire        reset_req,      // CTRL.RESET
    output wire        tail_refused,   // a TAIL write the channel refuses (TAIL_OVERFLOW)

    // settings
    output reg         enable,
    output reg         cmpl_wb_en,
    output reg  [63:0] ring_base,
    output reg  [3:0]  log2_slots,
    output reg  [15:0] tail,
    output reg  [63:0] cmpl_addr,
    output reg  [63:0] win_base,
    output reg  [63:0] win_limit,
    output reg  [7:0]  coal_count,
    output reg  [15:0] coal_timeout,

    // HEAD: advanced by the completion writer
    output reg  [15:0] head,
    input  wire        head_adv,
    input  wire [15:0] head_next,

    // interrupt causes and the error report of a halt
    input  wire        done_raise,     // INT_CAUSE.DONE (coalescing)
    input  wire        err_report,     // the channel halts on an error: INT_CAUSE.ERROR, ERR_*
    input  wire [7:0]  err_code,
    input  wire [1:0]  err_resp,
    input  wire [63:0] err_addr,
    input  wire        chan_reset,     // CTRL.RESET has taken effect
    output wire        irq,

    // STATUS
    input  wire        halted,
    input  wire        busy
);

`include "dma_regs.vh"
`include "dma_functions.vh"

reg  [1:0]  int_cause_q, int_enable_q;
reg  [7:0]  err_code_q;
reg  [1:0]  err_resp_q;
reg  [15:0] err_desc_q;
reg  [63:0] err_addr_q;

wire [31:0] wmask     = strb_mask(reg_wstrb);
wire [31:0] wbits     = reg_wdata & wmask;
wire        wr_ctrl   = reg_wr && (reg_wr_addr == DMA_CH_CTRL);
wire        wr_tail   = reg_wr && (reg_wr_addr == DMA_CH_TAIL);
wire        wr_cause  = reg_wr && (reg_wr_addr == DMA_CH_INT_CAUSE);
wire [31:0] tail_m    = reg_merge({16'd0, tail}, reg_wdata, wmask);
wire [15:0] tail_new  = tail_m[15:0];
wire [16:0] ring_slots = 17'd1 << log2_slots;
wire [15:0] tail_out  = tail_new - head;   // slots outstanding after the write ...
wire [15:0] tail_now  = tail - head;       // ... and before it

assign abort_req    = wr_ctrl && wbits[1];
assign reset_req    = wr_ctrl && wbits[2];
// TAIL_OVERFLOW (docs/descriptor.md): more slots outstanding than the ring holds, or TAIL moved
// back towards HEAD (the channel may already have fetched the slots it takes back)
assign tail_refused = wr_tail && (({1'b0, tail_out} > ring_slots) || (tail_out < tail_now));
assign irq          = |(int_cause_q & int_enable_q);

always @(posedge clk) begin
    if (rst) begin
        enable       <= 1'b0;
        cmpl_wb_en   <= 1'b0;
        ring_base    <= 64'd0;
        log2_slots   <= 4'd4;
        tail         <= 16'd0;
        head         <= 16'd0;
        cmpl_addr    <= 64'd0;
        win_base     <= 64'd0;
        win_limit    <= {64{1'b1}};
        int_cause_q  <= 2'b00;
        int_enable_q <= 2'b00;
        coal_count   <= 8'd0;
        coal_timeout <= 16'd0;
        err_code_q   <= 8'd0;
        err_resp_q   <= 2'd0;
        err_desc_q   <= 16'd0;
        err_addr_q   <= 64'd0;
    end else begin
        if (reg_wr) begin
            case (reg_wr_addr)
                DMA_CH_CTRL: begin
                    if (reg_wstrb[0]) begin
                        enable     <= reg_wdata[0];
                        cmpl_wb_en <= reg_wdata[3];
                    end
                end
                DMA_CH_RING_BASE_LO: ring_base[31:0]  <= reg_merge(ring_base[31:0], reg_wdata, wmask) & 32'hFFFF_FFE0;
                DMA_CH_RING_BASE_HI: ring_base[63:32] <= reg_merge(ring_base[63:32], reg_wdata, wmask);
                DMA_CH_RING_SIZE:    if (reg_wstrb[0]) log2_slots <= reg_wdata[3:0];
                DMA_CH_TAIL:         tail <= tail_new;
                DMA_CH_CMPL_ADDR_LO: cmpl_addr[31:0]  <= reg_merge(cmpl_addr[31:0], reg_wdata, wmask) & 32'hFFFF_FFF8;
                DMA_CH_CMPL_ADDR_HI: cmpl_addr[63:32] <= reg_merge(cmpl_addr[63:32], reg_wdata, wmask);
                DMA_CH_WIN_BASE_LO:  win_base[31:0]   <= reg_merge(win_base[31:0], reg_wdata, wmask);
                DMA_CH_WIN_BASE_HI:  win_base[63:32]  <= reg_merge(win_base[63:32], reg_wdata, wmask);
                DMA_CH_WIN_LIMIT_LO: win_limit[31:0]  <= reg_merge(win_limit[31:0], reg_wdata, wmask);
                DMA_CH_WIN_LIMIT_HI: win_limit[63:32] <= reg_merge(win_limit[63:32], reg_wdata, wmask);
                DMA_CH_INT_ENABLE:   if (reg_wstrb[0]) int_enable_q <= reg_wdata[1:0];
                DMA_CH_COALESCE: begin
                    if (reg_wstrb[0]) coal_count         <= reg_wdata[7:0];
                    if (reg_wstrb[2]) coal_timeout[7:0]  <= reg_wdata[23:16];
                    if (reg_wstrb[3]) coal_timeout[15:8] <= reg_wdata[31:24];
                end
                default: ;
            endcase
        end

        // hardware setting a cause wins over software clearing it in the same cycle
        int_cause_q <= (int_cause_q & ~(wr_cause ? wbits[1:0] : 2'b00)) | {err_report, done_raise};

        if (head_adv) begin
            head <= head_next;
        end
        if (err_report) begin
            err_code_q <= err_code;
            err_resp_q <= err_resp;
            err_desc_q <= head;
            err_addr_q <= err_addr;
        end
        if (chan_reset) begin
            head        <= 16'd0;
            tail        <= 16'd0;
            int_cause_q <= 2'b00;
            err_code_q  <= 8'd0;
            err_resp_q  <= 2'd0;
            err_desc_q  <= 16'd0;
            err_addr_q  <= 64'd0;
        end
    end
end

always @* begin
    case (reg_rd_addr)
        DMA_CH_CTRL:         reg_rdata = {28'd0, cmpl_wb_en, 2'b00, enable};
        DMA_CH_STATUS:       reg_rdata = {30'd0, halted, busy};
        DMA_CH_RING_BASE_LO: reg_rdata = {ring_base[31:5], 5'd0};
        DMA_CH_RING_BASE_HI: reg_rdata = ring_base[63:32];
        DMA_CH_RING_SIZE:    reg_rdata = {28'd0, log2_slots};
        DMA_CH_TAIL:         reg_rdata = {16'd0, tail};
        DMA_CH_HEAD:         reg_rdata = {16'd0, head};
        DMA_CH_CMPL_ADDR_LO: reg_rdata = {cmpl_addr[31:3], 3'd0};
        DMA_CH_CMPL_ADDR_HI: reg_rdata = cmpl_addr[63:32];
        DMA_CH_WIN_BASE_LO:  reg_rdata = win_base[31:0];
        DMA_CH_WIN_BASE_HI:  reg_rdata = win_base[63:32];
        DMA_CH_WIN_LIMIT_LO: reg_rdata = win_limit[31:0];
        DMA_CH_WIN_LIMIT_HI: reg_rdata = win_limit[63:32];
        DMA_CH_INT_CAUSE:    reg_rdata = {30'd0, int_cause_q};
        DMA_CH_INT_ENABLE:   reg_rdata = {30'd0, int_enable_q};
        DMA_CH_COALESCE:     reg_rdata = {coal_timeout, 8'd0, coal_count};
        DMA_CH_ERR_CODE:     reg_rdata = {22'd0, err_resp_q, err_code_q};
        DMA_CH_ERR_DESC:     reg_rdata = {16'd0, err_desc_q};
        DMA_CH_ERR_ADDR_LO:  reg_rdata = err_addr_q[31:0];
        DMA_CH_ERR_ADDR_HI:  reg_rdata = err_addr_q[63:32];
        default:             reg_rdata = 32'd0;
    endcase
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{wbits[31:3], tail_m[31:16]};  // only the low bits of these are registers
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
