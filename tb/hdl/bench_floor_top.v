// The simulation-speed floor of the benches: the bench top's clocking (bench_clock) and a cycle
// counter, nothing else. What a simulated cycle costs here is the simulator's and cocotb's own
// share of every bench cycle (tb/bench/speed.py measures it beside the bench).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module bench_floor_top #(
    // dma_top's parameters, which every bench build is handed (tb/runner.py); unused here
    parameter integer CHANNELS      = 4,
    parameter integer DATA_WIDTH    = 64,
    parameter integer ADDR_WIDTH    = 32,
    parameter integer MAX_XOR_SRCS  = 8,
    parameter integer CLK_INTERNAL  = 1,
    parameter integer CLK_PERIOD_NS = 10
) (
    input  wire clk_ext,
    input  wire rst
);

wire clk;

bench_clock #(
    .INTERNAL (CLK_INTERNAL),
    .PERIOD_NS(CLK_PERIOD_NS)
) u_clk (
    .clk_ext(clk_ext),
    .clk    (clk)
);

reg [31:0] cycle;

always @(posedge clk) begin
    if (rst) begin
        cycle <= 32'd0;
    end else begin
        cycle <= cycle + 32'd1;
    end
end

endmodule

`resetall
