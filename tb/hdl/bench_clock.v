// Clock for the simulation benches (tb/bench/): generated in HDL, or taken from outside.
//
// INTERNAL = 1: the simulator toggles `clk` itself every PERIOD_NS / 2, so no call crosses the
// simulator interface per edge (Verilator needs --timing). INTERNAL = 0: `clk` follows `clk_ext`,
// driven from outside (cocotb's GPI clock): the way the benches were clocked before, kept to
// measure the difference side by side.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module bench_clock #(
    parameter integer INTERNAL  = 1,
    parameter integer PERIOD_NS = 10    // even: the half period is a whole number of ns
) (
    input  wire clk_ext,
    output wire clk
);

initial begin
    if (PERIOD_NS < 2 || PERIOD_NS % 2 != 0) begin
        $error("bench_clock: PERIOD_NS must be even and >= 2");
        $finish;
    end
end

generate
    if (INTERNAL != 0) begin : gen_internal
        reg clk_q = 1'b0;
        always #(PERIOD_NS / 2) clk_q = !clk_q;
        assign clk = clk_q;
        /* verilator lint_off UNUSEDSIGNAL */
        wire unused_ok = clk_ext;
        /* verilator lint_on UNUSEDSIGNAL */
    end else begin : gen_external
        assign clk = clk_ext;
    end
endgenerate

endmodule

`resetall
