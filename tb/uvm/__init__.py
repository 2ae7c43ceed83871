"""pyuvm environment for dma_top: one agent per channel (sequencer, ring driver, completion
monitor), a reference-model predictor, a scoreboard and a functional coverage collector.

Data flow::

    virtual sequence --> sequence (per channel) --DescItem--> sequencer --> RingDriver
    RingDriver --ring slots + TAIL doorbell (AXI-Lite)--> dma_top
    RingDriver --PostedBatch (before the doorbell)--> CompletionMonitor, Predictor
    Predictor (tb.refmodel.run_channel) --Expectation--> Scoreboard
    dma_top --HEAD (AXI-Lite), status words (RAM), irq--> CompletionMonitor
    CompletionMonitor --Observed--> Scoreboard, Coverage
    CompletionMonitor.head (slots retired) --> RingDriver (free ring slots)

The bench itself (clock, reset, AxiRam, AXI-Lite, allocator, reference model) is tb.dma_tb.DmaTb,
handed to the environment through ConfigDB under "TB".
"""
