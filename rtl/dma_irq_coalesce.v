// Interrupt coalescing of one channel (docs/descriptor.md, Interrupts): raise INT_CAUSE.DONE when
// COALESCE.COUNT INT_EN descriptors have completed since it was last raised (0 or 1: every one),
// or COALESCE.TIMEOUT cycles after the first such completion not reported yet (0: no timeout),
// whichever comes first.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module dma_irq_coalesce (
    input  wire        clk,
    input  wire        rst,
    input  wire        clr,          // CTRL.RESET has taken effect: forget pending completions

    input  wire [7:0]  count,        // COALESCE.COUNT
    input  wire [15:0] timeout,      // COALESCE.TIMEOUT, cycles

    input  wire        completed,    // an INT_EN descriptor completed this cycle
    output reg         raise         // set INT_CAUSE.DONE
);

reg  [7:0]  pending_q;               // INT_EN completions not reported yet
reg  [15:0] timer_q;                 // cycles left until the timeout raises DONE
reg         timer_run_q;

wire [8:0]  threshold = (count == 8'd0) ? 9'd1 : {1'b0, count};

always @* begin
    raise = 1'b0;
    if (completed && ({1'b0, pending_q} + 9'd1 >= threshold)) begin
        raise = 1'b1;
    end
    if (timer_run_q && timer_q == 16'd1) begin
        raise = 1'b1;
    end
end

always @(posedge clk) begin
    if (rst) begin
        pending_q   <= 8'd0;
        timer_q     <= 16'd0;
        timer_run_q <= 1'b0;
    end else begin
        if (raise) begin
            pending_q   <= 8'd0;
            timer_run_q <= 1'b0;
        end else begin
            if (completed) begin
                pending_q <= pending_q + 8'd1;
                if (!timer_run_q && timeout != 16'd0) begin
                    timer_run_q <= 1'b1;
                    timer_q     <= timeout;
                end
            end
            if (timer_run_q) begin
                timer_q <= timer_q - 16'd1;
            end
        end
        if (clr) begin
            pending_q   <= 8'd0;
            timer_run_q <= 1'b0;
        end
    end
end

endmodule

`resetall
