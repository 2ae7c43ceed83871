// Completion queue of one channel: the descriptors handed to the mover, oldest first, each under
// its sequence number (dseq). The decoder pushes a descriptor when the mover takes it; the mover
// reports descriptors done in the same order; the completion writer completes and pops the head.
// Descriptors at or after a pending error's dseq (`stop`) are never marked done: they are
// abandoned, and the channel flushes the queue once it has drained. The queue holds
// 2^(DSEQ_WIDTH-1) descriptors, so the ones in flight are never more than half the dseq range
// apart and modular comparisons of their numbers hold.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_cmpl_queue #(
    parameter integer DSEQ_WIDTH = 4       // sequence number bits; the queue holds half the range
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  flush,        // the channel drained after an error: empty

    // a descriptor handed to the mover this cycle
    input  wire                  push,
    input  wire [15:0]           push_slot,    // slot count of its first slot
    input  wire [2:0]            push_nslots,  // slots it occupies
    input  wire                  push_int,     // INT_EN
    output reg  [DSEQ_WIDTH-1:0] push_dseq,    // the dseq it gets
    output wire                  full,

    // the mover's in-order reports
    input  wire                  done_valid,
    input  wire [DSEQ_WIDTH-1:0] done_dseq,
    input  wire                  done_nz,      // XOR_VAL: the XOR was not zero
    output reg  [DSEQ_WIDTH-1:0] unfinished_dseq,  // the oldest descriptor the mover has not done

    // pending error: the descriptors stop_covers marks are abandoned
    input  wire                  stop,
    input  wire [(1<<DSEQ_WIDTH)-1:0] stop_covers,  // bit n: dseq n is at or after the fault

    // the oldest descriptor
    output reg  [DSEQ_WIDTH-1:0] head_dseq,
    output wire                  empty,
    output wire                  head_done,    // its data transfer is complete
    output wire                  head_stopped, // it is abandoned (it or an older one faulted)
    output wire [15:0]           head_slot,
    output wire [2:0]            head_nslots,
    output wire                  head_int,
    output wire                  head_nz,
    input  wire                  pop
);

localparam integer DEPTH = 1 << (DSEQ_WIDTH - 1);
localparam integer IW    = DSEQ_WIDTH - 1;
localparam [DSEQ_WIDTH-1:0] DEPTH_N = DEPTH[DSEQ_WIDTH-1:0];

reg  [15:0]      slot_q   [0:DEPTH-1];
reg  [2:0]       nslots_q [0:DEPTH-1];
reg  [DEPTH-1:0] int_q, done_q, nz_q;

wire [DSEQ_WIDTH-1:0] count = push_dseq - head_dseq;
wire [IW-1:0]         hi    = head_dseq[IW-1:0];

// a descriptor reported done by the mover, unless an error at or before it is pending
wire done_mark = done_valid && !(stop && stop_covers[done_dseq]);

assign full         = (count == DEPTH_N);
assign empty        = (count == {DSEQ_WIDTH{1'b0}});
assign head_done    = !empty && done_q[hi];
assign head_stopped = stop && stop_covers[head_dseq];
assign head_slot    = slot_q[hi];
assign head_nslots  = nslots_q[hi];
assign head_int     = int_q[hi];
assign head_nz      = nz_q[hi];

always @(posedge clk) begin
    if (rst || flush) begin
        push_dseq       <= {DSEQ_WIDTH{1'b0}};
        head_dseq       <= {DSEQ_WIDTH{1'b0}};
        unfinished_dseq <= {DSEQ_WIDTH{1'b0}};
        done_q          <= {DEPTH{1'b0}};
    end else begin
        if (push) begin
            push_dseq <= push_dseq + 1'b1;
            done_q[push_dseq[IW-1:0]] <= 1'b0;
        end
        if (pop) begin
            head_dseq <= head_dseq + 1'b1;
        end
        if (done_valid) begin
            unfinished_dseq <= done_dseq + 1'b1;
        end
        if (done_mark) begin
            done_q[done_dseq[IW-1:0]] <= 1'b1;
        end
    end
    // entry contents: no reset, written only when an entry is pushed or reported
    if (push) begin
        slot_q[push_dseq[IW-1:0]]   <= push_slot;
        nslots_q[push_dseq[IW-1:0]] <= push_nslots;
        int_q[push_dseq[IW-1:0]]    <= push_int;
    end
    if (done_valid) begin
        nz_q[done_dseq[IW-1:0]] <= done_nz;
    end
end

endmodule

`resetall
