"""Performance benches of dma_top (`make bench`): Verilog memory model, RTL monitors, report."""
