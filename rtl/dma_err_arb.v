// Error arbitration of one channel: of the faults reported in a cycle, the one of the oldest
// descriptor wins, and it is taken when it is older than the error already pending (or none is
// pending). The age of a descriptor is its distance from the completion queue's head, so a
// smaller age is older. Candidates, ties going to the first listed:
//  * the completion writer (status word or completion record of the head descriptor, age 0),
//  * the mover's write response error, then its read response error,
//  * the decoder (a bad or refused descriptor: the next one to be handed to the mover),
//  * software (CTRL.ABORT, CTRL.RESET, a refused TAIL write): the oldest descriptor the mover has
//    not finished.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_err_arb #(
    parameter integer ADDR_WIDTH = 32,     // bus address bits
    parameter integer DSEQ_WIDTH = 4       // descriptor sequence number bits
) (
    // where the channel stands
    input  wire [DSEQ_WIDTH-1:0] head_dseq,        // the completion queue's head
    input  wire [DSEQ_WIDTH-1:0] push_dseq,        // the next descriptor handed to the mover
    input  wire [DSEQ_WIDTH-1:0] unfinished_dseq,  // the oldest one the mover has not finished
    input  wire                  halted,
    input  wire                  locked,           // the error status word is being written
    input  wire                  err_active,       // an error is pending ...
    input  wire [DSEQ_WIDTH-1:0] err_dseq,         // ... for this descriptor

    // candidates
    input  wire                  cmpl_fault,
    input  wire [7:0]            cmpl_code,
    input  wire [1:0]            cmpl_resp,
    input  wire [63:0]           cmpl_addr,
    input  wire                  cmpl_status_wr,
    input  wire                  wr_fault,
    input  wire [1:0]            wr_resp,
    input  wire [ADDR_WIDTH-1:0] wr_addr,
    input  wire [DSEQ_WIDTH-1:0] wr_dseq,
    input  wire                  rd_fault,
    input  wire [1:0]            rd_resp,
    input  wire [ADDR_WIDTH-1:0] rd_addr,
    input  wire [DSEQ_WIDTH-1:0] rd_dseq,
    input  wire                  dec_fault,
    input  wire [7:0]            dec_code,
    input  wire [1:0]            dec_resp,
    input  wire [63:0]           dec_addr,
    input  wire                  dec_status_wr,
    input  wire                  abort_req,
    input  wire                  reset_req,
    input  wire                  tail_refused,

    // the winner, valid with `take`
    output wire                  take,
    output wire [DSEQ_WIDTH-1:0] dseq,
    output wire [7:0]            code,
    output wire [1:0]            resp,
    output wire [63:0]           addr,
    output wire                  status_wr         // its status word may be written
);

`include "dma_desc.vh"

localparam integer W  = DSEQ_WIDTH;
localparam integer NC = 5;                 // candidates, in the order listed above

// The candidates side by side, the first listed at slice 0. Ages are plain wires: the pick below
// then re-runs only when a fault or an age changes, not on every read beat (the read error
// address changes with each one), which keeps an event-driven simulator fast.
wire [NC-1:0]    cand_valid     = {abort_req || reset_req || tail_refused, dec_fault,
                                   rd_fault, wr_fault, cmpl_fault};
wire [NC*W-1:0]  cand_dseq      = {unfinished_dseq, push_dseq, rd_dseq, wr_dseq, head_dseq};
wire [NC*W-1:0]  cand_age       = {unfinished_dseq - head_dseq, push_dseq - head_dseq,
                                   rd_dseq - head_dseq, wr_dseq - head_dseq, {W{1'b0}}};
wire [NC*8-1:0]  cand_code      = {tail_refused ? DMA_ERR_TAIL_OVERFLOW : DMA_ERR_ABORTED, dec_code,
                                   DMA_ERR_DATA_READ, DMA_ERR_DATA_WRITE, cmpl_code};
wire [NC*2-1:0]  cand_resp      = {2'b00, dec_resp, rd_resp, wr_resp, cmpl_resp};
wire [NC*64-1:0] cand_addr      = {64'd0, dec_addr, {{(64-ADDR_WIDTH){1'b0}}, rd_addr},
                                   {{(64-ADDR_WIDTH){1'b0}}, wr_addr}, cmpl_addr};
wire [NC-1:0]    cand_status_wr = {1'b0, dec_status_wr, 1'b1, 1'b1, cmpl_status_wr};
wire [W-1:0]     age_err        = err_dseq - head_dseq;

// the oldest candidate; ties go to the first listed
reg            found;
reg  [2:0]     pick;
reg  [W-1:0]   age;
integer        i;
always @* begin
    found = 1'b0;
    pick  = 3'd0;
    age   = {W{1'b0}};
    for (i = 0; i < NC; i = i + 1) begin
        if (cand_valid[i] && (!found || cand_age[i*W +: W] < age)) begin
            found = 1'b1;
            pick  = i[2:0];
            age   = cand_age[i*W +: W];
        end
    end
end

assign take      = found && !halted && !locked && (!err_active || age < age_err);
assign dseq      = cand_dseq[pick*W +: W];
assign code      = cand_code[pick*8 +: 8];
assign resp      = cand_resp[pick*2 +: 2];
assign addr      = cand_addr[pick*64 +: 64];
assign status_wr = cand_status_wr[pick];

endmodule

`resetall
