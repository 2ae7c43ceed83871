// Functions shared by the controller's modules: the one copy of the ring, window and register
// write arithmetic. Include inside a module body; it needs nothing from the including module.
// Function inputs carry a prefix of their function's initials so that they never hide a signal
// of the module that includes them.

// Window check (docs/descriptor.md, Errors): the bytes [wo_addr, wo_addr + wo_len - 1] lie
// inside [wo_base, wo_limit] and inside the address space of wo_space_bits bits (they do not
// wrap past its top). wo_addr has a carry bit (see slot_addr).
function win_ok;
    input [64:0]  wo_addr;
    input [23:0]  wo_len;
    input [63:0]  wo_base;
    input [63:0]  wo_limit;
    input integer wo_space_bits;
    reg   [64:0]  wo_last;
    begin
        wo_last = wo_addr + {41'd0, wo_len} - 65'd1;
        win_ok  = (wo_addr >= {1'b0, wo_base}) && (wo_last <= {1'b0, wo_limit}) &&
                  ((wo_last >> wo_space_bits) == 65'd0);
    end
endfunction

// Bus address of the ring slot that slot count sa_count names (HEAD and TAIL count slots
// modulo 2^16; the ring has 2^sa_log2_slots of them). RING_BASE bits 4:0 are always 0. The
// carry is kept: a ring running past the top of a 64-bit address space then fails win_ok
// instead of wrapping to address 0.
function [64:0] slot_addr;
    input [63:0] sa_ring_base;
    input [3:0]  sa_log2_slots;
    input [15:0] sa_count;
    reg   [15:0] sa_index;
    begin
        sa_index  = sa_count & ((16'd1 << sa_log2_slots) - 16'd1);
        slot_addr = {1'b0, sa_ring_base} + {44'd0, sa_index, 5'b0};
    end
endfunction

// AXI byte strobes of a 32-bit register write as a bit mask
function [31:0] strb_mask;
    input [3:0] sm_strb;
    begin
        strb_mask = {{8{sm_strb[3]}}, {8{sm_strb[2]}}, {8{sm_strb[1]}}, {8{sm_strb[0]}}};
    end
endfunction

// a register after a write of rm_data under the bit mask rm_mask
function [31:0] reg_merge;
    input [31:0] rm_old;
    input [31:0] rm_data;
    input [31:0] rm_mask;
    begin
        reg_merge = (rm_old & ~rm_mask) | (rm_data & rm_mask);
    end
endfunction
