/* targets.c: every target mkroot knows, as data. Adding a target is adding
 * a row. Each row gives what the standard test needs: a board, a serial
 * console, an RTC, ethernet and a block device. */
#include "ctx.h"

#include <stdlib.h>
#include <string.h>

#define HDA "-drive file=%s,format=raw,index=0,media=disk"
/* The native image's drive: on PCI's last slot, so that the disks a user
 * or boottest gives (-hda: virtio on -M virt) come first, vda */
#define XDRIVE "virtio-blk-pci,addr=0x1f"
#define VIRTIO_DISK "-drive file=%s,format=raw,if=none,id=hd0 " \
                    "-device virtio-blk-device,drive=hd0"
/* x86 boots fastest with qboot (direct kernel boot, no BIOS POST) and no
 * network-boot ROM on the NIC: about 0.15 s less under TCG here */
#define PCFAST "-bios qboot.rom -global e1000.romfile="
#define X86 "PCI,BLK_DEV_SD,ATA,ATA_SFF,ATA_BMDMA,ATA_PIIX,NET_VENDOR_INTEL," \
            "E1000,SERIAL_8250,SERIAL_8250_CONSOLE,RTC_CLASS," \
            "UNWINDER_FRAME_POINTER,EARLY_PRINTK"
/* -M virt's disk and NIC are virtio on PCI: aarch64 boots without
 * VIRTIO_MMIO (whose 32 transports the kernel would probe one by one);
 * armv7l keeps it until a matrix run shows it can go */
#define ARMVIRT "SERIAL_AMBA_PL011,SERIAL_AMBA_PL011_CONSOLE,RTC_CLASS," \
                "RTC_HCTOSYS,RTC_DRV_PL031,NET_CORE,VIRTIO_MENU,VIRTIO_NET," \
                "PCI,PCI_HOST_GENERIC,VIRTIO_BLK,VIRTIO_PCI"
#define MALTA "MIPS_MALTA,SERIAL_8250,SERIAL_8250_CONSOLE,PCI,BLK_DEV_SD,ATA," \
              "ATA_SFF,ATA_BMDMA,ATA_PIIX,NET_VENDOR_AMD,PCNET32," \
              "POWER_RESET,POWER_RESET_SYSCON,RTC_CLASS,RTC_DRV_CMOS"
#define VERSATILE "ARCH_MULTI_V5,CPU_ARM926T,MMU,ARM_THUMB,AEABI,ARCH_VERSATILE,ATAGS," \
  "DEPRECATED_PARAM_STRUCT,SERIAL_AMBA_PL011," \
  "SERIAL_AMBA_PL011_CONSOLE,RTC_CLASS,RTC_DRV_PL031,RTC_HCTOSYS,PCI," \
  "PCI_VERSATILE,BLK_DEV_SD,SCSI,SCSI_LOWLEVEL,SCSI_SYM53C8XX_2," \
  "SCSI_SYM53C8XX_MMIO,NET_VENDOR_REALTEK,8139CP"
#define PSERIES "PPC64,PPC_PSERIES,PPC_OF_BOOT_TRAMPOLINE,BLK_DEV_SD," \
                "SCSI_LOWLEVEL,SCSI_IBMVSCSI,ATA,NET_VENDOR_IBM,IBMVETH," \
                "HVC_CONSOLE,PPC_TRANSACTIONAL_MEM,PPC_DISABLE_WERROR," \
                "SECTION_MISMATCH_WARN_ONLY,RTC_CLASS"

/* A NIC on virtio-mmio, beside the disk, for boards with none unless asked */
#define VIRTIO_NIC "-netdev user,id=net0 -device virtio-net-device,netdev=net0"
/* sh4 and sh4eb: the r2d board, its console on the second SCIF */
#define R2D "-M r2d -serial null -serial mon:stdio"
#define R2DCONF "CPU_SUBTYPE_SH7751R,MMU,VSYSCALL,SH_FPU,SH_RTS7751R2D," \
  "RTS7751R2D_PLUS,SERIAL_SH_SCI,SERIAL_SH_SCI_CONSOLE,PCI," \
  "NET_VENDOR_REALTEK,8139CP,BLK_DEV_SD,ATA,ATA_SFF,ATA_BMDMA," \
  "PATA_PLATFORM,BINFMT_ELF_FDPIC,BINFMT_FLAT"
#define SH4GCC "--with-cpu=sh4 --with-multilib-list=m4,m4-nofpu"
#define NOPORT "musl 1.2.3 has no port for it"
#define FROMSOURCE "its compiler is built from source with musl"

const struct target targets[] = {
  /* Measured under TCG here (printk.time, initcall_debug): -M pc's
   * default CD-ROM cost 0.17 s of probing, the e1000 0.25 to 0.39 s (its
   * EEPROM read bit by bit, with delays), the local APIC timer's
   * calibration and failed verification 0.26 s, the delay loop's 0.06 s.
   * So: no default devices but the VGA, which keeps slot 2 taken (qboot's
   * interrupt routing fails a NIC there), and a virtio NIC of its own; a
   * user's -nic (toybox's dropbear package adds one) replaces it, an e1000
   * as on -M pc, so the e1000 driver stays. The IDE disk as
   * before (-hda works); the PIT as the tick (nolapic_timer), a fixed lpj;
   * no_timer_check, as the IO-APIC timer check panics a loaded host's slow
   * guest ("IO-APIC + timer doesn't work!"); LZ4, which unpacks faster
   * than gzip. */
  /* --disable-multilib: gcc's 32-bit libgcc can't build against one
   * (64-bit) musl's headers (wchar_t redefined: measured here) */
  {.name = "x86_64", .debian = "x86_64-linux-gnu-", .gcc = "x86_64-linux-musl",
   .gccconf = "--disable-multilib",
   .karch = "x86", .qemu = "x86_64",
   .machine = PCFAST " -nodefaults -vga std -serial mon:stdio",
   .nic = "-netdev user,id=net0 -device virtio-net-pci,netdev=net0,addr=3",
   .kargs = "nolapic_timer no_timer_check lpj=785408",
   .console = "ttyS0", .image = "arch/x86/boot/bzImage", .disk = HDA,
   .xdrive = XDRIVE,
   .kconf = "64BIT,KERNEL_LZ4,VIRTIO_MENU,VIRTIO_PCI,VIRTIO_NET,VIRTIO_BLK,"
            X86},
  {.name = "i686", .debian = "i686-linux-gnu-",
   /* not qboot: with its firmware this kernel can't calibrate the TSC
    * under TCG (no HPET or PM timer to check it against) and hangs
    * before printing anything; SeaBIOS boots it */
   .karch = "x86", .qemu = "i386",
   .machine = "-cpu pentium3 -global e1000.romfile=",
   .console = "ttyS0", .image = "arch/x86/boot/bzImage", .disk = HDA,
   .kconf = "MPENTIUMII," X86},
  {.name = "i486", .debian = "i686-linux-gnu-",
   .karch = "x86", .qemu = "i386",
   .machine = "-cpu 486 -global fw_cfg.dma_enabled=false "
              "-global e1000.romfile=",
   .console = "ttyS0", .image = "arch/x86/boot/bzImage", .disk = HDA,
   .kconf = "M486," X86, .cflags = "-march=i486",
   .glibcnote = "glibc's libc.a is i686-only: an i486 userland needs musl"},
  {.name = "x32", .debian = "x86_64-linux-gnux32-",
   .karch = "x86", .qemu = "x86_64", .machine = PCFAST,
   .console = "ttyS0", .image = "arch/x86/boot/bzImage", .disk = HDA,
   .kconf = "64BIT,X86_X32_ABI," X86,
   .nomusl = "musl 1.2.3's x32 setsockopt fails with EFAULT here (toybox's "
             "ping and wget: no network)"},
  {.name = "aarch64", .debian = "aarch64-linux-gnu-",
   .gcc = "aarch64-linux-musl",
   .karch = "arm64", .qemu = "aarch64",
   .machine = "-M virt -cpu cortex-a57", .console = "ttyAMA0",
   .image = "arch/arm64/boot/Image", .disk = HDA, .xdrive = XDRIVE,
   /* loop devices made when asked (losetup -f), not eight at boot */
   .kconf = ARMVIRT ",BLK_DEV_LOOP_MIN_COUNT=0"},
  {.name = "armv7l", .debian = "arm-linux-gnueabihf-",
   .gcc = "armv7l-linux-musleabihf",
   .gccconf = "--with-arch=armv7-a --with-fpu=vfpv3-d16 --with-float=hard",
   .karch = "arm", .qemu = "arm", .machine = "-M virt",
   .console = "ttyAMA0", .image = "arch/arm/boot/zImage", .disk = HDA,
   .xdrive = XDRIVE,
   .kconf = "MMU,ARCH_MULTI_V7,ARCH_VIRT,ARM_THUMB,VDSO,KERNEL_MODE_NEON,"
            "ARM_LPAE,VFP,NEON,VIRTIO_MMIO," ARMVIRT},
  {.name = "armv5l", .debian = "arm-linux-gnueabi-",
   .karch = "arm", .qemu = "arm",
   .machine = "-M versatilepb -net nic,model=rtl8139 -net user",
   .console = "ttyAMA0", .image = "arch/arm/boot/zImage",
   .dtb = "arch/arm/boot/dts/versatile-pb.dtb", .disk = HDA,
   .kconf = "VFP," VERSATILE,
   .kconfig = "CONFIG_SCSI_SYM53C8XX_DMA_ADDRESSING_MODE=0"},
  {.name = "armv4l", .debian = "arm-linux-gnueabi-",
   .karch = "arm", .qemu = "arm",
   .machine = "-M versatilepb -net nic,model=rtl8139 -net user",
   .console = "ttyAMA0", .image = "arch/arm/boot/zImage",
   .dtb = "arch/arm/boot/dts/versatile-pb.dtb", .disk = HDA,
   .kconf = VERSATILE,
   .kconfig = "CONFIG_SCSI_SYM53C8XX_DMA_ADDRESSING_MODE=0",
   .cflags = "-march=armv4t"},
  {.name = "m68k", .debian = "m68k-linux-gnu-",
   .karch = "m68k", .qemu = "m68k", .machine = "-M q800",
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "MMU,M68040,M68KFPU_EMU,MAC,SCSI,SCSI_LOWLEVEL,BLK_DEV_SD,"
            "SCSI_MAC_ESP,MACINTOSH_DRIVERS,NET_CORE,NET_VENDOR_NATSEMI,"
            "MACSONIC,SERIAL_PMACZILOG,SERIAL_PMACZILOG_TTYS,"
            "SERIAL_PMACZILOG_CONSOLE,RTC_CLASS"},
  {.name = "mips", .debian = "mips-linux-gnu-",
   .karch = "mips", .qemu = "mips", .machine = "-M malta",
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "CPU_MIPS32_R2," MALTA},
  {.name = "mipsel", .debian = "mipsel-linux-gnu-",
   .karch = "mips", .qemu = "mipsel", .machine = "-M malta",
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "CPU_MIPS32_R2,CPU_LITTLE_ENDIAN," MALTA},
  {.name = "mips64", .debian = "mips64-linux-gnuabi64-",
   .karch = "mips", .qemu = "mips64",
   .machine = "-M malta -cpu 5KEc", .console = "ttyS0", .image = "vmlinux",
   .disk = HDA, .kconf = "CPU_MIPS64_R1,64BIT," MALTA},
  {.name = "mips64el", .debian = "mips64el-linux-gnuabi64-",
   .karch = "mips", .qemu = "mips64el",
   .machine = "-M malta -cpu 5KEc", .console = "ttyS0", .image = "vmlinux",
   .disk = HDA, .kconf = "CPU_MIPS64_R1,64BIT,CPU_LITTLE_ENDIAN," MALTA},
  {.name = "powerpc", .debian = "powerpc-linux-gnu-",
   .karch = "powerpc", .qemu = "ppc", .machine = "-M g3beige",
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "ALTIVEC,PPC_PMAC,PPC_OF_BOOT_TRAMPOLINE,ATA,ATA_SFF,ATA_BMDMA,"
            "PATA_MACIO,BLK_DEV_SD,MACINTOSH_DRIVERS,ADB,ADB_CUDA,"
            "NET_VENDOR_NATSEMI,NET_VENDOR_8390,NE2K_PCI,SERIO,"
            "SERIAL_PMACZILOG,SERIAL_PMACZILOG_TTYS,SERIAL_PMACZILOG_CONSOLE,"
            "BOOTX_TEXT,RTC_CLASS",
   /* musl has no IBM 128-bit long double, Debian's gcc's default */
   .muslflags = "-mlong-double-64"},
  {.name = "powerpc64", .debian = "powerpc64-linux-gnu-",
   .karch = "powerpc", .qemu = "ppc64",
   .machine = "-M pseries -vga none", .console = "hvc0", .image = "vmlinux",
   .disk = HDA, .kconf = PSERIES,
   .nomusl = "musl needs ELFv2, Debian's powerpc64 libgcc is ELFv1"},
  {.name = "powerpc64le", .debian = "powerpc64le-linux-gnu-",
   .karch = "powerpc", .qemu = "ppc64",
   .machine = "-M pseries -vga none", .console = "hvc0", .image = "vmlinux",
   .disk = HDA, .kconf = "CPU_LITTLE_ENDIAN," PSERIES,
   .muslflags = "-mlong-double-64"},
  {.name = "riscv64", .debian = "riscv64-linux-gnu-",
   .karch = "riscv", .qemu = "riscv64",
   /* no NIC unless asked for: one on virtio-mmio, like the disk */
   .machine = "-M virt " VIRTIO_NIC,
   .console = "ttyS0", .image = "arch/riscv/boot/Image", .disk = VIRTIO_DISK,
   .kconf = "MMU,ARCH_RV64I,SERIAL_8250,SERIAL_8250_CONSOLE,SERIAL_OF_PLATFORM,"
            "RTC_CLASS,RTC_HCTOSYS,RTC_DRV_GOLDFISH,NET_CORE,VIRTIO_MENU,"
            "VIRTIO_NET,VIRTIO_BLK,VIRTIO_MMIO,PCI,PCI_HOST_GENERIC,VIRTIO_PCI,"
            "SOC_VIRT,NONPORTABLE,FPU"},
  {.name = "s390x", .debian = "s390x-linux-gnu-",
   .karch = "s390", .qemu = "s390x", .machine = "",
   .console = "ttysclp0", .image = "arch/s390/boot/bzImage",
   .disk = "-drive file=%s,format=raw,if=virtio",
   .kconf = "NET_CORE,VIRTIO_NET,VIRTIO_BLK,SCLP_TTY,"
            "SCLP_CONSOLE,SCLP_VT220_TTY,SCLP_VT220_CONSOLE,S390_GUEST"},
  /* musl has no port for alpha, hppa or sparc64: Debian's compiler and
   * glibc */
  /* ALPHA_GENERIC, not ALPHA_DP264: any EV6 system type builds
   * arch/alpha/lib/stycpy.S, which in this 6.1 tree includes
   * ev6-strcat.S, a file it lacks (only ev67-strcat.S) */
  /* -Wl,--no-relax: a static glibc program linked with relaxation
   * crashes at its start (__ctype_init reads its TLS through a NULL
   * pointer: SIGSEGV, measured here with Debian's gcc 12, binutils 2.40,
   * glibc 2.36); linked without, it runs */
  {.name = "alpha", .debian = "alpha-linux-gnu-", .cflags = "-Wl,--no-relax",
   .karch = "alpha", .qemu = "alpha", .machine = "-M clipper",
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "ALPHA_GENERIC,PCI,SERIAL_8250,SERIAL_8250_CONSOLE,ATA,ATA_SFF,"
            "ATA_BMDMA,PATA_CMD64X,BLK_DEV_SD,NET_VENDOR_INTEL,E1000,"
            "RTC_CLASS,RTC_DRV_ALPHA",
   .nomusl = NOPORT},
  /* QEMU 7.2's hppa is a B160L: PA7300LC, 32-bit, SeaBIOS-hppa. Its
   * firmware's cache information gives Linux a data cache stride of
   * 32 KiB, which parisc takes as cache_line_size(), and the slab caches
   * align every object to it: each dentry, each 16-byte kmalloc, a
   * 32 KiB slab of its own (/proc/slabinfo), 236 MB of slab at the
   * prompt. In 256 MiB it panics "System is deadlocked on memory" before
   * /init; it gets 1024. SLAB, not SLUB: SLUB also warned in acquire_slab
   * (WARN_ON(!freelist)) right after "Memory:" */
  {.name = "hppa", .debian = "hppa-linux-gnu-",
   .karch = "parisc", .qemu = "hppa", .machine = "", .memory = 1024,
   .console = "ttyS0", .image = "vmlinux", .disk = HDA,
   .kconf = "PA7300LC,SLAB,GSC,GSC_LASI,GSC_DINO,PCI,SERIAL_8250,"
            "SERIAL_8250_CONSOLE,SCSI,SCSI_LOWLEVEL,BLK_DEV_SD,"
            "SCSI_SYM53C8XX_2,NET_VENDOR_DEC,NET_TULIP,TULIP,RTC_CLASS,"
            "RTC_DRV_GENERIC,PDC_CHASSIS",
   .nomusl = NOPORT},
  /* sun4u's reset doesn't reach QEMU (OpenBIOS's reboot call returns and
   * Linux panics "Reboot failed!", over and over): /init powers it off,
   * which OpenBIOS does. Its clock is DATE= plus uptime, which misses the
   * seconds OpenBIOS runs before Linux: 4 s here idle, 13 to 17 s on a
   * loaded host (boottest's date check then fails). So the kernel sets
   * it from rtc-m48t59 (RTC_HCTOSYS), which QEMU keeps at the host's
   * time, and /init leaves a clock that isn't near zero alone. */
  {.name = "sparc64", .debian = "sparc64-linux-gnu-",
   .karch = "sparc", .qemu = "sparc64", .machine = "-M sun4u",
   .kargs = "POWEROFF=1",
   .console = "ttyS0", .image = "arch/sparc/boot/image", .disk = HDA,
   .kconf = "64BIT,PCI,SERIAL_SUNSU,SERIAL_SUNSU_CONSOLE,ATA,ATA_SFF,"
            "ATA_BMDMA,PATA_CMD64X,BLK_DEV_SD,NET_VENDOR_SUN,HAPPYMEAL,"
            "RTC_CLASS,RTC_HCTOSYS",
   .nomusl = NOPORT},
  /* Debian's sh4 gcc 12 drops the T-bit test before conditional branches
   * at -O1 and up (GCC bug 106609): its kernels and programs hang. So this
   * row's compiler is built from source: gcc 11, with both FPU variants
   * (the kernel builds with -m4-nofpu). Its console (SCIF) loses
   * characters typed faster than about one per 20 ms. */
  {.name = "sh4", .gcc = "sh4-linux-musl",
   .gccconf = SH4GCC,
   .karch = "sh", .qemu = "sh4",
   .machine = R2D, .console = "ttySC1",
   .image = "arch/sh/boot/zImage", .disk = HDA,
   .kconf = R2DCONF,
   .kconfig = "CONFIG_MEMORY_START=0x0c000000", .typems = 20,
   .glibcnote = FROMSOURCE " (Debian's sh4 gcc 12 miscompiles: GCC bug "
                "106609)"},
  /* The targets Debian has no Linux compiler for: theirs is built from
   * source, as for sh4 */
  /* Its disk is the board's 16 MiB CFI flash (QEMU's device tree:
   * bank-width 1, at 0xa0000000), read as /dev/mtdblock0 */
  {.name = "microblaze", .gcc = "microblaze-linux-musl",
   .karch = "microblaze", .qemu = "microblaze",
   .machine = "-M petalogix-s3adsp1800", .console = "ttyUL0",
   .image = "vmlinux", .disk = "-drive file=%s,format=raw,if=pflash",
   .diskdev = "/dev/mtdblock0", .diskmib = 16,
   .kconf = "MMU,CPU_BIG_ENDIAN,SERIAL_UARTLITE,SERIAL_UARTLITE_CONSOLE,"
            "XILINX_EMACLITE,NET_VENDOR_XILINX,MTD,MTD_BLOCK,MTD_CFI,"
            "MTD_CFI_INTELEXT,MTD_PHYSMAP,MTD_PHYSMAP_OF",
   .kconfig = "CONFIG_XILINX_MICROBLAZE0_FAMILY=\"spartan3adsp\"\n"
              "CONFIG_XILINX_MICROBLAZE0_USE_MSR_INSTR=1\n"
              "CONFIG_XILINX_MICROBLAZE0_USE_PCMP_INSTR=1\n"
              "CONFIG_XILINX_MICROBLAZE0_USE_BARREL=1\n"
              "CONFIG_XILINX_MICROBLAZE0_USE_HW_MUL=1",
   .cantpass = "poweroff",
   .note = "QEMU's petalogix-s3adsp1800 has nothing that powers it off or "
           "resets it (Linux's microblaze power-off spins)",
   .glibcnote = FROMSOURCE},
  {.name = "or1k", .gcc = "or1k-linux-musl",
   /* virt, not or1k-sim: that has no disk and no clock. The device tree
    * comes from QEMU. */
   .karch = "openrisc", .qemu = "or1k",
   .machine = "-M virt " VIRTIO_NIC,
   .console = "ttyS0", .image = "vmlinux", .disk = VIRTIO_DISK,
   .kconf = "OPENRISC_HAVE_INST_FF1,OPENRISC_HAVE_INST_FL1,"
            "OPENRISC_HAVE_INST_MUL,OPENRISC_HAVE_INST_DIV,"
            "SERIAL_8250,SERIAL_8250_CONSOLE,SERIAL_OF_PLATFORM,RTC_CLASS,"
            "RTC_HCTOSYS,RTC_DRV_GOLDFISH,NET_CORE,VIRTIO_MENU,VIRTIO_NET,"
            "VIRTIO_BLK,VIRTIO_MMIO,POWER_RESET,POWER_RESET_SYSCON,"
            "POWER_RESET_SYSCON_POWEROFF",
   .glibcnote = FROMSOURCE},
  {.name = "sh4eb", .gcc = "sh4eb-linux-musl",
   .gccconf = SH4GCC,
   .karch = "sh", .qemu = "sh4eb",
   .machine = R2D, .console = "ttySC1",
   .image = "arch/sh/boot/zImage", .disk = HDA,
   .kconf = R2DCONF ",CPU_BIG_ENDIAN",
   .kconfig = "CONFIG_MEMORY_START=0x0c000000", .typems = 20,
   /* r2d's PCI NIC (8139) and CF are little-endian, and Linux 6.1's sh
    * swaps nothing unless SWAP_IO_SPACE, which swaps the on-chip
    * registers too: the patch swaps the PCI windows and the CF's
    * widened byte registers only, and fixes the big-endian sign
    * extension of the loads that r2d's trapped I/O emulates */
   .kpatch = "sh4eb-le-io",
   .glibcnote = FROMSOURCE},
  {0}
};

const struct target *target_find(const char *name)
{
  const struct target *t;

  for (t = targets; t->name; t++) if (!strcmp(t->name, name)) return t;
  return 0;
}

/* "a b c": every target's name */
char *target_names(void)
{
  const struct target *t;
  char *l = xstrdup(""), *more;

  for (t = targets; t->name; t++) {
    more = xprintf("%s%s%s", l, *l ? " " : "", t->name);
    free(l);
    l = more;
  }
  return l;
}

void target_list(FILE *f)
{
  char *l = target_names();

  fprintf(f, "%s\n", l);
  free(l);
}

/* One line: what (a name, or TARGET=name) is no target in the table, why
 * one is needed (or 0), and the known ones; -1 */
int target_unknown(const char *what, const char *why)
{
  char *l = target_names();

  error_msg("%s: unknown target%s%s; known: %s", what, why ? " " : "",
            why ? why : "", l);
  free(l);
  return -1;
}

/* Debian's package for each QEMU (qemu-system-NAME); the rest are in
 * qemu-system-misc */
static const struct { const char *qemu, *pkg; } qemu_pkgs[] = {
  {"x86_64", "qemu-system-x86"}, {"i386", "qemu-system-x86"},
  {"aarch64", "qemu-system-arm"}, {"arm", "qemu-system-arm"},
  {"mips", "qemu-system-mips"}, {"mipsel", "qemu-system-mips"},
  {"mips64", "qemu-system-mips"}, {"mips64el", "qemu-system-mips"},
  {"ppc", "qemu-system-ppc"}, {"ppc64", "qemu-system-ppc"},
  {"sparc64", "qemu-system-sparc"}, {0, "qemu-system-misc"}};

const char *target_qemu_pkg(const struct target *t)
{
  int i;

  for (i = 0; qemu_pkgs[i].qemu; i++)
    if (!strcmp(qemu_pkgs[i].qemu, t->qemu)) break;
  return qemu_pkgs[i].pkg;
}

/* Debian's package for t's compiler ("gcc-x86-64-linux-gnu" for the prefix
 * "x86_64-linux-gnu-"), or 0 if it has none */
char *target_gcc_pkg(const struct target *t)
{
  char *p, *s;

  if (!t->debian) return 0;
  p = xprintf("gcc-%.*s", (int)strlen(t->debian) - 1, t->debian);
  for (s = p; *s; s++) if (*s == '_') *s = '-';
  return p;
}

/* The table as doc/targets.md shows it (make doc): where each target's
 * compiler, C library and emulator come from, and what boottest proves */
void targets_markdown(FILE *f)
{
  const struct target *t;

  fputs("| target | kernel ARCH | compiler | C library | QEMU | console | "
        "boottest |\n| --- | --- | --- | --- | --- | --- | --- |\n", f);
  for (t = targets; t->name; t++) {
    char *gcc = target_gcc_pkg(t), *cant = xstrdup(t->cantpass ? t->cantpass : ""), *s;

    for (s = cant; *s; s++) if (*s == ',') *s = '/';
    fprintf(f, "| %s | %s | ", t->name, t->karch);
    if (t->debian && !t->gcc) fprintf(f, "%s", gcc);
    else if (t->debian) fprintf(f, "%s (or %s from source)", gcc, t->gcc);
    else fprintf(f, "%s, built from source", t->gcc);
    fprintf(f, " | %s%s%s | qemu-system-%s%s%s%s (%s) | %s | ",
            t->nomusl ? "glibc (" : "musl", t->nomusl ? t->nomusl : "",
            t->nomusl ? ")" : "", t->qemu, *t->machine ? " `" : "",
            t->machine, *t->machine ? "`" : "", target_qemu_pkg(t),
            t->console);
    if (*cant) fprintf(f, "all but %s: %s |\n", cant, t->note);
    else fputs("every check |\n", f);
    free(cant);
    free(gcc);
  }
}
