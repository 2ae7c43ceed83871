// The stop state of one channel (docs/descriptor.md, Errors): the pending error (the oldest fault
// taken so far, with the dseq of its descriptor), the drain that follows it, HALTED, and the
// sequencing of CTRL.RESET.
//
// While an error is pending the channel issues nothing new for the faulting descriptor or later
// ones and lets the older ones complete. It has drained when the completion writer is idle, the
// mover and the fetcher have nothing outstanding and the completion queue holds nothing that
// may still complete; the completion writer then writes the faulting descriptor's status word
// (when its slot is writable) and halts the channel. A CTRL.RESET of a running channel aborts it
// the same way and clears it instead of halting; a CTRL.RESET of a halted channel clears it at
// once.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_chan_stop #(
    parameter integer DSEQ_WIDTH = 4       // descriptor sequence number bits
) (
    input  wire                  clk,
    input  wire                  rst,

    // a fault wins arbitration (dma_err_arb)
    input  wire                  take,
    input  wire [DSEQ_WIDTH-1:0] take_dseq,
    input  wire [7:0]            take_code,
    input  wire [1:0]            take_resp,
    input  wire [63:0]           take_addr,
    input  wire                  take_status_wr,

    // the pending error
    output reg                   err_active,
    output reg  [DSEQ_WIDTH-1:0] err_dseq,
    output wire [(1<<DSEQ_WIDTH)-1:0] stop_covers,  // bit n: dseq n is err_dseq or later
    output reg  [7:0]            err_code,
    output reg  [1:0]            err_resp,
    output reg  [63:0]           err_addr,
    output reg                   err_status_wr,     // the status word may be written

    // draining
    input  wire                  writer_idle,
    input  wire                  mover_busy,
    input  wire                  fetch_busy,
    input  wire                  queue_empty,
    input  wire                  queue_head_stopped,
    output wire                  drained,

    // halting and CTRL.RESET
    input  wire                  halt,             // the completion writer stops the channel
    input  wire                  reset_req,
    output reg                   reset_pend,       // CTRL.RESET waits for the drain
    output reg                   halted,
    output wire                  err_report,       // halted on an error (not a reset)
    output wire                  chan_reset,       // CTRL.RESET takes effect
    output wire                  flush             // clear fetcher, decoder, mover, queue
);

assign drained    = err_active && writer_idle && !mover_busy && !fetch_busy &&
                    (queue_empty || queue_head_stopped);
assign err_report = halt && !reset_pend;
assign chan_reset = (halt && reset_pend) || (reset_req && halted);
assign flush      = halt || (reset_req && halted);

// dseq n is err_dseq or later: sequence numbers in flight are less than half the range apart
genvar n;
generate
    for (n = 0; n < (1 << DSEQ_WIDTH); n = n + 1) begin : gen_stop_covers
        localparam integer          SEQ_I = n;
        localparam [DSEQ_WIDTH-1:0] SEQ   = SEQ_I[DSEQ_WIDTH-1:0];
        wire       [DSEQ_WIDTH-1:0] seq_dist = SEQ - err_dseq;
        assign stop_covers[n] = !seq_dist[DSEQ_WIDTH-1];
    end
endgenerate

always @(posedge clk) begin
    if (rst) begin
        err_active    <= 1'b0;
        err_dseq      <= {DSEQ_WIDTH{1'b0}};
        err_code      <= 8'd0;
        err_resp      <= 2'd0;
        err_addr      <= 64'd0;
        err_status_wr <= 1'b0;
        reset_pend    <= 1'b0;
        halted        <= 1'b0;
    end else begin
        if (take) begin
            err_active    <= 1'b1;
            err_dseq      <= take_dseq;
            err_code      <= take_code;
            err_resp      <= take_resp;
            err_addr      <= take_addr;
            err_status_wr <= take_status_wr;
        end
        if (reset_req && !halted) begin
            reset_pend <= 1'b1;
        end
        if (halt) begin
            err_active <= 1'b0;
            if (!reset_pend) begin
                halted <= 1'b1;
            end
        end
        if (chan_reset) begin
            reset_pend <= 1'b0;
            halted     <= 1'b0;
        end
    end
end

endmodule

`resetall
