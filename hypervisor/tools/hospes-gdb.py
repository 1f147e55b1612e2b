# hospes-gdb.py: GDB commands that show the hypervisor's state by name.
#
# `make gdb` sources this file (see gdbinit.in). Each command reads the
# hypervisor's own variables through gdb.parse_and_eval(), so it shows
# what the C code sees, and it never runs code in the target. Type
# `hospes help` for the list.
#
# When the state exists: QEMU's loader zeroes the bss, and start_hospes()
# (arch/x86/setup.c) fills struct boot_info step by step:
# multiboot_cmdline() sets the command line, multiboot_init() the memory
# map, the modules and the reserved ranges. Before that the commands say
# the state is empty; `break boot_info_print` stops at a point where
# everything is filled in.
#
# Adding a command (later labs: domains, vCPUs, page walks, event
# channels) is one class: subclass HospesCommand with a `name`, a
# docstring (its first line is the summary `hospes help` shows; the rest
# is what `help hospes NAME` adds) and a run() method. Defining the class
# registers it.

import inspect

import gdb


class HospesPrefix(gdb.Command):
    """Hospes hypervisor commands: `hospes help` lists them."""

    def __init__(self):
        super().__init__("hospes", gdb.COMMAND_USER, prefix=True)

    def invoke(self, arg, from_tty):
        # GDB comes here for `hospes` alone and for a name it does not know.
        if arg.strip():
            raise gdb.GdbError(f"hospes: no command '{arg.strip()}' "
                               "(hospes help lists them)")
        gdb.execute("hospes help", from_tty)


HospesPrefix()

# Every `hospes NAME` command, in the order they were defined.
COMMANDS = []


class HospesCommand(gdb.Command):
    """Base of every `hospes NAME` command; subclasses register themselves."""

    name = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # GDB shows the docstring as the command's help, verbatim.
        cls.__doc__ = inspect.cleandoc(cls.__doc__)
        COMMANDS.append(cls)
        cls()

    def __init__(self):
        super().__init__("hospes " + self.name, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            self.run(arg.strip())
        except gdb.MemoryError as e:
            # Before head.asm turns paging on, our addresses mean nothing.
            raise gdb.GdbError(f"hospes {self.name}: {e} (the hypervisor's "
                               "mappings are not up yet: stop in C first, "
                               "e.g. break start_hospes)") from e
        except (gdb.error, gdb.GdbError) as e:
            # A GdbError prints one clean line instead of a Python trace.
            raise gdb.GdbError(f"hospes {self.name}: {e}") from e

    def run(self, arg):
        raise NotImplementedError


# --- Reading the hypervisor's state ------------------------------------------

def c_string(pointer):
    """The C string at @pointer, or "(null)" as printk prints NULL."""
    if int(pointer) == 0:
        return "(null)"
    return pointer.string(errors="replace")


def c_range(start, end):
    """[start, end) as the hypervisor prints it (PRIpaddr: 16 hex digits)."""
    return f"[{int(start):016x}, {int(end):016x})"


def entries(array, count):
    """The first @count elements of the C array @array, checked in size."""
    n = int(count)
    capacity = array.type.range()[1] + 1
    if n > capacity:
        raise gdb.GdbError(f"{n} entries do not fit the array's "
                           f"{capacity}: memory is corrupt")
    return [array[i] for i in range(n)]


def mem_type_name(value):
    """An enum mem_type as a word: MEM_USABLE -> "usable".

    The name comes from the debug information, so new types need no
    change here; mem_type_name() in common/bootinfo.c words ACPI and bad
    RAM a little differently ("ACPI data", "unusable").
    """
    name = str(value)
    return name[len("MEM_"):].lower() if name.startswith("MEM_") else name


# --- Backtraces --------------------------------------------------------------

# The code each stack starts in: head.asm calls start_hospes() from
# start64_high on the boot stack. Assembly carries no unwind information,
# so past these GDB would guess and print garbage from above the stack.
OUTERMOST = {"start64_high"}


class OutermostFrameFilter:
    """End every backtrace at the code that set its stack up."""

    def __init__(self):
        self.name = "hospes-outermost"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        for frame in frames:
            yield frame
            if frame.inferior_frame().name() in OUTERMOST:
                return


OutermostFrameFilter()


# --- The commands ------------------------------------------------------------

class Help(HospesCommand):
    """List the Hospes commands, with a line on each."""

    name = "help"

    def run(self, arg):
        print("Hospes commands (help hospes NAME for more):")
        for cls in COMMANDS:
            print(f"  hospes {cls.name:10} {cls.__doc__.splitlines()[0]}")


class Cmdline(HospesCommand):
    """Print the command line the hypervisor parsed (boot_info.cmdline).

    Set by multiboot_cmdline() early in start_hospes(); empty before.
    """

    name = "cmdline"

    def run(self, arg):
        cmdline = gdb.parse_and_eval("boot_info.cmdline")
        if int(cmdline) == 0:
            print("The command line is not read yet: multiboot_cmdline() "
                  "sets it in start_hospes().")
            return
        print(f"Command line: {c_string(cmdline)}")


class Memmap(HospesCommand):
    """Print the memory map, the modules and the reserved ranges.

    Reads boot_info as multiboot_init() left it, and prints it as
    boot_info_print() does: "[start, end) (type)". Empty until
    multiboot_init() has run in start_hospes(); `break boot_info_print`
    stops just after.
    """

    name = "memmap"

    def run(self, arg):
        bi = gdb.parse_and_eval("boot_info")
        regions = entries(bi["map"], bi["nr_map"])
        if not regions:
            print("The memory map is not read yet: multiboot_init() fills "
                  "it in start_hospes().")
            return
        print(f"Memory map ({len(regions)} regions), from "
              f"{c_string(bi['loader'])}:")
        for r in regions:
            print(f" {c_range(r['start'], r['end'])} "
                  f"({mem_type_name(r['type'])})")
        modules = entries(bi["modules"], bi["nr_modules"])
        print(f"Modules: {len(modules)}")
        for i, m in enumerate(modules):
            print(f" module {i}: {c_range(m['start'], m['end'])} "
                  f"'{c_string(m['string'])}'")
        print("Reserved at boot:")
        for r in entries(bi["reserved"], bi["nr_reserved"]):
            print(f" {c_range(r['start'], r['end'])} {c_string(r['what'])}")


class Heap(HospesCommand):
    """Print the heap's free blocks per order (lab 2).

    Reads the buddy allocator's state (`heap` in common/page_alloc.c),
    as heap_dump() prints it. Empty until heap_init() has run.
    """

    name = "heap"

    def run(self, arg):
        heap = gdb.parse_and_eval("heap")
        blocks = heap["blocks"]
        print(f"Heap: {int(heap['free_pages'])} frames free; free blocks "
              "per order:")
        for order in range(blocks.type.range()[1] + 1):
            if int(blocks[order]):
                print(f"  order {order:2}: {int(blocks[order])}")


# Where all machine memory is mapped (asm/layout.h), and the entry bits
# the walk reads (asm/x86-defs.h).
DIRECTMAP_VIRT_START = 0xffff830000000000
PADDR_MASK = 0x000ffffffffff000
ENTRY_BITS = [(1 << 0, "present"), (1 << 1, "rw"), (1 << 2, "user"),
              (1 << 7, "pse"), (1 << 8, "global"), (1 << 63, "nx")]


class Pagewalk(HospesCommand):
    """Walk page tables for a virtual address: `hospes pagewalk VA [DOMID]`.

    Without DOMID, starts at CR3; with it, at that domain's vCPU 0's page
    tables (its arch->guest_table, lab 5). Reads each level's entry
    through the direct map, as the CPU would, printing the entry, its
    flags, where it leads, and for a domain's walk who owns each frame and
    its page type (asm/pagetype.h). Works once paging is on (after
    head.asm) and the tables are in memory the direct map reaches (the
    first 4 GiB early, all RAM after lab 2's arch_init_memory()).
    """

    name = "pagewalk"

    def run(self, arg):
        words = arg.split()
        if len(words) not in (1, 2):
            raise gdb.GdbError("usage: hospes pagewalk VIRTUAL-ADDRESS [DOMID]")
        va = int(gdb.parse_and_eval(f"(unsigned long)({words[0]})"))
        if len(words) == 2:
            table = domain_l4(int(gdb.parse_and_eval(words[1])))
            where = f"d{words[1]}'s L4"
        else:
            table = int(gdb.parse_and_eval("$cr3")) & PADDR_MASK
            where = "CR3"
        print(f"Walk of 0x{va:016x} from {where} 0x{table:x}:")
        walk(table, va, show_owner=len(words) == 2)


# Page types (asm/pagetype.h: type_info bits 61-63), by number.
PAGE_TYPES = {0: "none", 1: "L1", 2: "L2", 3: "L3", 4: "L4", 5: "desc",
              7: "writable"}


def domain_l4(domid):
    """The machine address of domain @p domid's vCPU 0's L4."""
    d = find_domain(domid)
    if int(d["max_vcpus"]) == 0:
        raise gdb.GdbError(f"no vCPU in domain {domid}")
    return int(d["vcpu"][0]["arch"]["guest_table"]["mfn"]) << 12


def frame_owner(maddr):
    """Who owns the frame at @p maddr, and its page type and counts."""
    pg = gdb.parse_and_eval(f"frame_table[{maddr >> 12}]")
    owner = int(pg["owner"])
    who = f"d{int(pg['owner']['domain_id'])}" if owner else "no domain"
    type_info = int(pg["u"]["inuse"]["type_info"])
    kind = PAGE_TYPES.get(type_info >> 61, "?")
    return (f"{who}, {kind} x{type_info & 0xffffffff}, "
            f"refs {int(pg['count_info']) & 0xffffffff}")


def walk(table, va, show_owner):
    """Print the walk of @p va from the top-level table at @p table."""
    memory = gdb.selected_inferior()
    for level in (4, 3, 2, 1):
        index = (va >> (12 + 9 * (level - 1))) & 511
        raw = memory.read_memory(DIRECTMAP_VIRT_START + table + index * 8, 8)
        entry = int.from_bytes(bytes(raw), "little")
        flags = " ".join(name for bit, name in ENTRY_BITS if entry & bit)
        owner = f"  [{frame_owner(table)}]" if show_owner else ""
        print(f"  L{level}[{index:3}] = 0x{entry:016x}  {flags}{owner}")
        if not entry & 1:
            print("  not mapped")
            return
        frame = entry & PADDR_MASK
        if level == 1 or entry & (1 << 7):
            offset = va & ((1 << (12 + 9 * (level - 1))) - 1)
            tail = f"  [{frame_owner(frame)}]" if show_owner else ""
            print(f"  -> machine address 0x{frame + offset:x}{tail}")
            return
        table = frame


class Domains(HospesCommand):
    """List the domains and their vCPUs (common/domain.c's domain_list).

    For each vCPU: its CPU, whether it is running, blocked or paused, and
    where a guest that is not running will resume (its saved RIP and
    RSP; a running vCPU's registers are in the frame at the top of its
    CPU's stack, asm/current.h).
    """

    name = "domains"

    def run(self, arg):
        d = gdb.parse_and_eval("domain_list")
        if int(d) == 0:
            print("No domains (none built yet, or all gone).")
        while int(d):
            print(f"d{int(d['domain_id'])} {d['name'].string()}: "
                  f"{int(d['tot_pages'])} frames, "
                  f"{'shutting down, ' if d['is_shutting_down'] else ''}"
                  f"pause count {int(d['pause_count'])}")
            for i in range(int(d["max_vcpus"])):
                v = d["vcpu"][i]
                regs = v["arch"]["user_regs"]
                state = ("running" if v["is_running"] else
                         "blocked" if v["is_blocked"] else "waiting")
                print(f"  v{int(v['vcpu_id'])} on CPU {int(v['processor'])}, "
                      f"{state}; saved rip {int(regs['rip']):#x} "
                      f"rsp {int(regs['rsp']):#x}")
            d = d["next_in_list"]


# Port states (hospes/event.h: ECS_*), by number.
PORT_STATES = ["free", "reserved", "unbound", "interdomain", "virq", "ipi"]


def find_domain(domid):
    """Domain @p domid's struct domain (a gdb.Value), or a GdbError."""
    d = gdb.parse_and_eval("domain_list")
    while int(d) and int(d["domain_id"]) != domid:
        d = d["next_in_list"]
    if not int(d):
        raise gdb.GdbError(f"no domain {domid}")
    return d


def port_bit(bitmap, port):
    """Bit @p port of a shared_info bitmap (64 ports a word)."""
    return int(bitmap[port // 64]) >> (port % 64) & 1


class Evtchn(HospesCommand):
    """A domain's event channels: `hospes evtchn DOMID` (lab 6).

    Every port that is not free: its state, where it leads (the remote
    domain and port, the VIRQ, the domain that may bind it), the vCPU it
    notifies, and its pending and masked bits in shared_info; then vCPU
    0's upcall flags and selector. The same as debug key 'e', without
    needing the console.
    """

    name = "evtchn"

    def run(self, arg):
        if not arg.strip():
            raise gdb.GdbError("usage: hospes evtchn DOMID")
        d = find_domain(int(gdb.parse_and_eval(arg)))
        shared = d["shared_info"]
        print(f"d{int(d['domain_id'])}: {int(d['valid_evtchns'])} ports")
        for port in range(1, int(d["valid_evtchns"])):
            chn = d["evtchn"][port // 64][port % 64]
            state = int(chn["state"])
            if state == 0:
                continue
            where = ""
            if PORT_STATES[state] == "unbound":
                where = f" for d{int(chn['remote_domid'])}"
            elif PORT_STATES[state] == "interdomain":
                where = (f" to d{int(chn['remote_dom']['domain_id'])} "
                         f"port {int(chn['remote_port'])}")
            elif PORT_STATES[state] == "virq":
                where = f" {int(chn['virq'])}"
            print(f"  port {port}: {PORT_STATES[state]}{where}, vCPU "
                  f"{int(chn['notify_vcpu_id'])}, pending "
                  f"{port_bit(shared['evtchn_pending'], port)}, masked "
                  f"{port_bit(shared['evtchn_mask'], port)}")
        if int(d["max_vcpus"]):
            info = d["vcpu"][0]["vcpu_info"]
            print(f"  vCPU 0: upcall pending "
                  f"{int(info['evtchn_upcall_pending'])}, mask "
                  f"{int(info['evtchn_upcall_mask'])}, selector "
                  f"{int(info['evtchn_pending_sel']):#x}")
