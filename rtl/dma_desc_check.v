// Descriptor field checks (docs/descriptor.md, Descriptor layout and Errors), combinational.
//
// First slot: splits it into its fields, finds the first failing check in the order of the error
// table (BAD_OPCODE, BAD_LENGTH, BAD_NSRC, RESERVED: reserved CTRL bits and the fields the
// opcode does not use), and says how many extension slots follow. Extension slot: the source
// entries past SRC(NSRC-1) must be 0.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_desc_check #(
    parameter integer MAX_XOR_SRCS = 8     // XOR sources per descriptor: 2..16
) (
    input  wire [255:0] slot,

    // as a first slot
    output wire [3:0]   op,
    output wire         int_en,
    output wire         fence,
    output wire [4:0]   nsrc,
    output wire [7:0]   fill,
    output wire [23:0]  len,
    output wire [63:0]  dst,
    output wire [63:0]  src0,
    output wire [63:0]  src1,
    output wire [2:0]   ext_slots,     // extension slots that follow: ceil((NSRC - 2) / 4)
    output reg          bad,
    output reg  [7:0]   bad_code,

    // as extension slot ext_index of a descriptor with ext_nsrc sources
    input  wire [2:0]   ext_index,
    input  wire [4:0]   ext_nsrc,
    output reg          ext_bad        // an entry past SRC(NSRC-1) is not 0 (RESERVED)
);

`include "dma_desc.vh"

localparam [4:0] MAX_NSRC = MAX_XOR_SRCS[4:0];

// field positions: dma_desc.vh (generated from rtl/dma_desc.toml)
wire [31:0] ctrl     = slot[DMA_SLOT_CTRL_LSB +: DMA_SLOT_CTRL_W];
wire [31:0] len_word = slot[DMA_SLOT_LEN_LSB +: DMA_SLOT_LEN_W];
assign dst    = slot[DMA_SLOT_DST_LSB +: DMA_SLOT_DST_W];
assign src0   = slot[DMA_SLOT_SRC0_LSB +: DMA_SLOT_SRC0_W];
assign src1   = slot[DMA_SLOT_SRC1_LSB +: DMA_SLOT_SRC1_W];
assign op     = ctrl[DMA_CTRL_OP_LSB +: DMA_CTRL_OP_W];
assign int_en = ctrl[DMA_CTRL_INT_EN_LSB];
assign fence  = ctrl[DMA_CTRL_FENCE_LSB];
assign nsrc   = ctrl[DMA_CTRL_NSRC_LSB +: DMA_CTRL_NSRC_W];
assign fill   = ctrl[DMA_CTRL_FILL_VAL_LSB +: DMA_CTRL_FILL_VAL_W];
assign len    = len_word[DMA_LEN_W-1:0];

wire       is_xor   = (op == DMA_OP_XOR) || (op == DMA_OP_XOR_VAL);
wire       op_ok    = (op >= DMA_OP_MEMCPY) && (op <= DMA_OP_INTERRUPT);
wire       len_bad  = (op == DMA_OP_INTERRUPT) ? (len_word != 32'd0) :
                      ((len_word[31:DMA_LEN_W] != 0) || (len_word[DMA_LEN_W-1:0] == 0));
wire       nsrc_bad = is_xor && ((nsrc < 5'd2) || (nsrc > MAX_NSRC));
wire [4:0] ext_n    = (is_xor && nsrc > 5'd2) ? ((nsrc + 5'd1) >> 2) : 5'd0;
assign ext_slots = ext_n[2:0];

// reserved CTRL bits, then the fields the opcode does not use
reg reserved;
always @* begin
    reserved = (ctrl & ~DMA_CTRL_DEFINED) != 32'd0;
    case (op)
        DMA_OP_MEMCPY:  reserved = reserved || (nsrc != 5'd0) || (fill != 8'd0) || (src1 != 64'd0);
        DMA_OP_XOR:     reserved = reserved || (fill != 8'd0);
        DMA_OP_XOR_VAL: reserved = reserved || (fill != 8'd0) || (dst != 64'd0);
        DMA_OP_FILL:    reserved = reserved || (nsrc != 5'd0) || (src0 != 64'd0) || (src1 != 64'd0);
        default:        reserved = reserved || (nsrc != 5'd0) || (fill != 8'd0) || (dst != 64'd0)
                                            || (src0 != 64'd0) || (src1 != 64'd0);
    endcase
end

always @* begin
    bad      = 1'b1;
    bad_code = DMA_ERR_BAD_OPCODE;
    if (!op_ok) begin
        bad_code = DMA_ERR_BAD_OPCODE;
    end else if (len_bad) begin
        bad_code = DMA_ERR_BAD_LENGTH;
    end else if (nsrc_bad) begin
        bad_code = DMA_ERR_BAD_NSRC;
    end else if (reserved) begin
        bad_code = DMA_ERR_RESERVED;
    end else begin
        bad = 1'b0;
    end
end

// extension slot k holds SRC(2 + 4k) .. SRC(5 + 4k)
integer e;
always @* begin
    ext_bad = 1'b0;
    for (e = 0; e < 4; e = e + 1) begin
        if ((5'd2 + {ext_index, 2'b00} + e[4:0]) >= ext_nsrc && slot[e*64 +: 64] != 64'd0) begin
            ext_bad = 1'b1;
        end
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire unused_ok = ^{ext_n[4:3]};  // at most 4 extension slots (16 sources)
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
