/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every word of the agent's documentation: the commands, the options, and
 * the manual page's other sections. `agent --help`, `agent help COMMAND`
 * and agent(1) are rendered from these tables, so they cannot disagree.
 *
 * Text markup: paragraphs are separated by an empty line and refilled; a
 * paragraph whose first line starts with two spaces is a verbatim block
 * (examples, file layouts). No other markup: roff escapes are added here.
 * To add a command: one entry in commands[], its options in options[]
 * (their `commands` field names it), then its dispatch in main.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-help.h"
#include "config.h"

typedef struct HelpCommand {
        const char *name;
        const char *args;       /* synopsis after the name, or NULL */
        const char *summary;    /* one line for `agent --help` */
        const char *text;
} HelpCommand;

typedef struct HelpOption {
        const char *name;       /* long name without dashes */
        char short_name;        /* 0: none */
        const char *arg;        /* NULL: takes no argument */
        const char *commands;   /* space-separated commands it applies to; NULL: all */
        const char *text;
} HelpOption;

typedef struct HelpItem {
        const char *term;
        const char *text;
} HelpItem;

#define USAGE_WIDTH 79
#define USAGE_TERM 22   /* column where the summaries start in --help */

static const char name_line[] =
        "boot a Linux host into a rescue system in RAM, on the same addresses "
        "with the same SSH host keys";

static const char description[] =
        "agent turns a root shell on a broken Linux server into a rescue system "
        "in RAM. It is one statically linked program that carries a rescue "
        "kernel and initramfs inside itself and needs nothing installed on the "
        "host: copy it to /run (a tmpfs, so a read-only or full root file "
        "system is no obstacle) and run agent go.\n"
        "\n"
        "go captures the host's identity: its network through netlink (links "
        "with their MAC addresses, MTU, VLAN, bond and bridge devices, IPv4 "
        "and IPv6 addresses, the routes of every table, policy rules), DNS "
        "(the real upstreams behind a systemd-resolved stub), the hostname, "
        "the SSH host keys and certificates, the sshd port(s) and the "
        "authorized keys of the people who may become root. It appends that "
        "to the rescue initramfs as an overlay in memory, loads the rescue "
        "kernel for kexec with the host's console= arguments, prints where "
        "to log in again, and reboots into it. The rescue system matches "
        "NICs by MAC address, restores the network as it was, starts OpenSSH's "
        "sshd with the host's own key files on the host's port(s), and opens "
        "shells on the consoles. Unless someone logs in over SSH in time "
        "(--fallback-after) it reboots through the firmware back into the "
        "installed system.\n"
        "\n"
        "Options may come before or after the command.";

static const HelpCommand commands[] = {
        {
                .name = "go",
                .summary = "capture network, keys and DNS; load the bundled rescue "
                           "kernel; count down; reboot into it",
                .text = "Runs the checks of agent check and refuses, changing nothing, "
                        "when one fails. Captures the host, builds the overlay in a sealed "
                        "memfd (never on disk), loads the rescue kernel with "
                        "kexec_file_load(2), or kexec_load(2) where the running kernel "
                        "lacks the first, then prints the addresses and port(s) to log in "
                        "again, the host key fingerprints and whose keys get in. It counts "
                        "down (--countdown; --yes skips it): Ctrl-C, SIGTERM or a dropped "
                        "ssh session cancel and unload the kernel. Then it syncs, bounded "
                        "in time so a dying disk cannot hang it, and reboots into the "
                        "rescue. Exit status 0 means the reboot is under way.",
        },
        {
                .name = "check",
                .summary = "the preflight alone: one line per check, OK, WARN or FAIL "
                           "with the reason and what to do",
                .text = "Runs go's preflight and prints one line per check: root, "
                        "containers, kexec in the kernel and not disabled, no kernel "
                        "already loaded, lockdown and Secure Boot, memory (the kernel "
                        "takes a kexec image of at most half of RAM, counting the "
                        "bzImage's init_size), a driver in the rescue kernel for every NIC "
                        "that carries a default route and for the disks, a way in (a key "
                        "or a password) and host keys. Each is OK, WARN or FAIL with the "
                        "reason and what to do. Exit status 3 when a check fails. Changes "
                        "nothing.",
        },
        {
                .name = "plan",
                .summary = "what go would capture, where the rescue comes back, and "
                           "what is lost; changes nothing",
                .text = "Prints what go would do without doing it: the addresses and "
                        "sshd port(s) the rescue comes back on, the host keys it offers "
                        "(fingerprints), whose keys get in, the fallback timer, the sizes "
                        "of kernel, initramfs and overlay, the rescue's kernel command "
                        "line, what cannot be carried over, and the checks. With --json "
                        "the same as one JSON object (for automation: deploy/ansible in the "
                        "source tree gathers it as a fact).",
        },
        {
                .name = "snapshot",
                .summary = "print the captured network state (--json, --script)",
                .text = "Prints the network state go would capture, in the agent's "
                        "versioned text format; with --json as JSON; with --script as the "
                        "iproute2 shell script that restores it (what a foreign rescue "
                        "initramfs runs).",
        },
        {
                .name = "overlay",
                .args = "-o FILE",
                .summary = "write the overlay initramfs go would append (mode 0600)",
                .text = "Writes the overlay go would append to the rescue initramfs, a "
                        "compressed newc archive, to FILE with mode 0600: it holds the "
                        "private host keys.",
        },
        {
                .name = "inspect",
                .args = "[FILE|--payload]",
                .summary = "list a cpio/initramfs FILE, or the bundled payload",
                .text = "Lists the members of an initramfs FILE (newc archives, plain or "
                        "gzip or xz compressed, concatenated). Without FILE, or with "
                        "--payload: the rescue image bundled in this agent, each part with "
                        "its size, SHA-256 and XXH64, whether they match, and its "
                        "manifest. (go and plan check sizes and XXH64 only.)",
        },
        {
                .name = "bundle",
                .args = "--kernel K --initrd I -o OUT",
                .summary = "make a copy of this agent carrying another rescue image",
                .text = "Writes OUT: this program with the kernel K and initramfs I "
                        "appended as its payload (and --manifest, --modules-alias for "
                        "the memory and driver checks), without a compiler. An existing "
                        "OUT is kept unless --force.",
        },
        {
                .name = "paste",
                .args = "[--bare] [-o FILE] [DEST]",
                .summary = "print a sh script that recreates this agent at DEST when "
                           "pasted into a console shell",
                .text = "For a host reached only through a serial or IPMI console. Writes a "
                        "POSIX sh script, to standard output (never to a terminal) or -o "
                        "FILE, that recreates this agent when pasted into a root shell "
                        "(sh, dash, bash, busybox sh) or run with sh: the program "
                        "gzip-compressed and base64-encoded in lines of 76 characters, "
                        "decoded with base64 and gzip or busybox's, checked against its "
                        "SHA-256 before it is made executable, and linked to DEST (default "
                        "/run/agent) only if nothing is there yet. A damaged paste leaves "
                        "nothing behind. Prints on standard error how long the paste takes "
                        "at 115200 baud: over half an hour for the whole agent. --bare "
                        "leaves out the rescue image (under a minute), for agent reboot, or go "
                        "--kernel and --initrd with files already on the host.",
        },
        {
                .name = "restore",
                .args = "[--state FILE] [--dry-run]",
                .summary = "(rescue side) restore the captured network through netlink",
                .text = "Run by the rescue system's init. Restores the captured network "
                        "state through netlink: NICs found by permanent MAC address get "
                        "their names, MTU, VLAN, bond and bridge devices, addresses, routes "
                        "and rules back. FILE defaults to /etc/rescue/netstate, where the "
                        "overlay puts it. --dry-run prints the steps and changes nothing.",
        },
        {
                .name = "reboot",
                .args = "[--plan] [--now] [--kernel K] [--initrd I] [--append A] [--reuse-cmdline]",
                .summary = "kexec into this host's installed default kernel, skipping the "
                           "firmware",
                .text = "A fast reboot into the host's own installed default kernel, the "
                        "one its boot loader would start, with that entry's initramfs and "
                        "command line (--reuse-cmdline: the running kernel's). Where "
                        "systemd runs, the reboot goes through systemd's kexec.target so "
                        "services stop cleanly; elsewhere it syncs, remounts the local "
                        "filesystems read-only and kexecs; --now syncs and kexecs at once. "
                        "--plan prints the kernel, initramfs and command line it would boot "
                        "and why, and changes nothing. --kernel and --initrd choose another "
                        "kernel, --append adds arguments to its command line.",
        },
        {
                .name = "help",
                .args = "[COMMAND]",
                .summary = "show this text, or the text of one command",
                .text = "Without COMMAND prints the usage; with it, that command's part "
                        "of the manual page agent(1).",
        },
};

static const HelpOption options[] = {
        { "yes", 'y', NULL, "go reboot", "No countdown before the reboot (for scripts)." },
        { "countdown", 0, "SEC", "go reboot", "Seconds to wait before rebooting (default 5)." },
        { "dry-run", 0, NULL, "go restore",
          "go: do every step up to the kexec load and change nothing. restore: print the "
          "steps, change nothing." },
        { "no-reboot", 0, NULL, "go", "Load the rescue kernel, then unload it and stop." },
        { "graceful", 0, NULL, "go",
          "On a systemd host let systemd stop the services and kexec (SIGRTMIN+6 to PID 1) "
          "instead of rebooting directly." },
        { "kernel", 0, "FILE", "go check plan bundle reboot",
          "The rescue kernel (bzImage) instead of the bundled one; bundle: the kernel to "
          "carry; reboot: instead of the installed default." },
        { "initrd", 0, "FILE", "go check plan bundle reboot",
          "The rescue initramfs instead of the bundled one; bundle: the initramfs to carry." },
        { "append", 0, "ARGS", "go plan reboot", "Extra arguments for the new kernel's command line." },
        { "authorized-keys", 0, "FILE", "go check plan overlay",
          "Also let the keys in FILE (authorized_keys format) log in as root." },
        { "keys-from", 0, "USER", "go check plan overlay",
          "Also let USER's authorized keys (where sshd_config's AuthorizedKeysFile puts "
          "them) log in as root. Repeatable." },
        { "password", 0, NULL, "go check plan overlay",
          "Also allow root logins with a password: asked twice on the terminal, or one line "
          "read from standard input when it is not one. Only its SHA-512 crypt hash goes "
          "into the rescue." },
        { "force", 0, NULL, "go check bundle paste reboot",
          "go, check: go on despite a kernel already loaded for kexec, or a NIC with a "
          "default route the rescue has no driver for. bundle, paste: replace an existing "
          "output file." },
        { "fallback-after", 0, "SEC", "go plan overlay",
          "Reboot the rescue through the firmware unless someone logs in over SSH within "
          "SEC seconds (or Nm minutes; default 900, 0: never). rescue-stay in the rescue "
          "cancels it." },
        { "output", 'o', "FILE", "overlay bundle paste", "The file to write." },
        { "manifest", 0, "FILE", "bundle", "Metadata (versions, sizes) to carry with the image." },
        { "modules-alias", 0, "FILE", "bundle",
          "The rescue kernel's modules.alias, for the driver check." },
        { "payload", 0, NULL, "inspect", "The bundled payload (the default without FILE)." },
        { "bare", 0, NULL, "paste", "The program without its rescue payload." },
        { "state", 0, "FILE", "restore", "The network state to restore (default /etc/rescue/netstate)." },
        { "plan", 0, NULL, "reboot", "Print the kernel, initramfs and command line and why; change nothing." },
        { "now", 0, NULL, "reboot", "Sync and kexec at once, without systemd's shutdown." },
        { "reuse-cmdline", 0, NULL, "reboot",
          "The running kernel's command line, not the boot entry's." },
        { "json", 0, NULL, "check plan snapshot inspect", "Machine-readable output (one JSON object)." },
        { "script", 0, NULL, "snapshot", "The iproute2 script that restores the state." },
        { "quiet", 'q', NULL, NULL, "Only errors." },
        { "help", 'h', NULL, NULL, "Show the usage." },
        { "version", 0, NULL, NULL, "Versions of the agent and its libraries." },
};

static const HelpItem exit_status[] = {
        { "0", "Success; for go and reboot: the reboot is under way." },
        { "1", "Refused or failed; nothing was changed (the message says why and what to do)." },
        { "2", "Usage error." },
        { "3", "check: a check failed." },
};

static const HelpItem files[] = {
        { "/run/agent", "Where to put the agent (a tmpfs); paste's default destination." },
        { "/etc/ssh/ssh_host_*_key, /etc/ssh/ssh_host_*_key-cert.pub",
          "The host keys and certificates the rescue's sshd offers." },
        { "/etc/ssh/sshd_config",
          "Port (and its Include files) for the rescue's sshd port(s), default 22; "
          "AuthorizedKeysFile for --keys-from." },
        { "~/.ssh/authorized_keys",
          "Of root, of the user who ran the agent through sudo or doas, and of the members "
          "of the sudo, wheel and admin groups: they may log into the rescue as root." },
        { "/etc/resolv.conf, /run/systemd/resolve/resolv.conf",
          "DNS; the second gives the real upstreams behind systemd-resolved's stub." },
        { "/etc/hostname", "The hostname." },
        { "/proc/cmdline", "console= arguments, passed on to the rescue kernel." },
        { "/sys/kernel/kexec_loaded, /proc/sys/kernel/kexec_load_disabled, "
          "/sys/kernel/security/lockdown",
          "Whether kexec can work here." },
        { "/etc/rescue/netstate", "In the rescue: the captured network state restore reads." },
};

static const char changes[] =
        "Before the reboot go writes no file anywhere: the overlay, with the private host "
        "keys, exists only in a sealed memfd. The one change it makes to the running "
        "system is loading the rescue kernel for kexec, and any failure after that unloads "
        "it again. Then it reboots the host into RAM: running services stop without their "
        "shutdown (unless --graceful), after a sync.\n"
        "\n"
        "The rescue system never mounts, repairs or writes the host's disks by itself; it "
        "loads drivers, restores the network and starts sshd. What happens then is up to "
        "whoever logs in.";

static const char examples[] =
        "Over ssh:\n"
        "\n"
        "  scp agent root@host:/run/agent\n"
        "  ssh root@host /run/agent plan\n"
        "  ssh root@host /run/agent go\n"
        "\n"
        "then, a few seconds to a minute later, ssh root@host again: the same host key, the "
        "same addresses, the rescue system.\n"
        "\n"
        "From a script, without the countdown, and with a password as a second way in:\n"
        "\n"
        "  echo \"$PW\" | /run/agent go --yes --password\n"
        "\n"
        "Through a serial console, where only pasting text works:\n"
        "\n"
        "  agent paste > agent.sh     # on a machine with the agent\n"
        "  sh agent.sh                # or paste it into the console's root shell\n"
        "  /run/agent go\n"
        "\n"
        "A fast reboot into the installed kernel, skipping the firmware:\n"
        "\n"
        "  agent reboot --plan\n"
        "  agent reboot";

/* ------------------------------------------------------------ plain text */

static bool is_verbatim(const char *para) {
        return strncmp(para, "  ", 2) == 0;
}

/* Copies the next paragraph of *text into buf (our own texts: each fits)
 * and moves *text past it; false at the end. */
static bool next_paragraph(const char **text, char *buf, size_t size) {
        const char *p = *text, *end;
        size_t n;

        if (*p == '\0')
                return false;
        end = strstr(p, "\n\n");
        n = end ? (size_t) (end - p) : strlen(p);
        if (n >= size)
                n = size - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        for (p += n; *p == '\n'; p++)
                ;
        *text = p;
        return true;
}

/* Refills a paragraph at USAGE_WIDTH, every line indented. */
static void text_fill(FILE *f, const char *para, int indent, int first_col) {
        int col = first_col;

        while (*para) {
                size_t n;

                para += strspn(para, " \n");
                n = strcspn(para, " \n");
                if (n == 0)
                        break;
                if (col > indent && col + 1 + (int) n > USAGE_WIDTH) {
                        fputc('\n', f);
                        col = 0;
                }
                if (col < indent) {
                        fprintf(f, "%*s", indent - col, "");
                        col = indent;
                } else {
                        fputc(' ', f);
                        col++;
                }
                fwrite(para, 1, n, f);
                col += (int) n;
                para += n;
        }
        fputc('\n', f);
}

static void text_paragraph(FILE *f, const char *para, int indent) {
        if (is_verbatim(para)) {
                for (const char *l = para; *l;) {
                        size_t n = strcspn(l, "\n");

                        fprintf(f, "%*s%.*s\n", indent, "", (int) n, l);
                        l += n + (l[n] == '\n');
                }
        } else
                text_fill(f, para, indent, 0);
}

static void text_block(FILE *f, const char *text, int indent) {
        char buf[4096];

        for (bool first = true; next_paragraph(&text, buf, sizeof(buf)); first = false) {
                if (!first)
                        fputc('\n', f);
                text_paragraph(f, buf, indent);
        }
}

static void option_label(char *buf, size_t size, const HelpOption *o) {
        if (o->short_name)
                snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? "=" : "", o->arg ?: "");
        else
                snprintf(buf, size, "    --%s%s%s", o->name, o->arg ? "=" : "", o->arg ?: "");
}

/* "  label   text", the text filled from USAGE_TERM or on the next line. */
static void text_term(FILE *f, const char *label, const char *text) {
        int n = fprintf(f, "  %s", label);

        if (n + 1 > USAGE_TERM) {
                fputc('\n', f);
                n = 0;
        }
        text_fill(f, text, USAGE_TERM, n);
}

static bool applies_to(const HelpOption *o, const char *command) {
        size_t len = strlen(command);

        if (!o->commands)
                return false;
        for (const char *p = o->commands; *p;) {
                size_t n = strcspn(p, " ");

                if (n == len && strncmp(p, command, n) == 0)
                        return true;
                p += n + (p[n] == ' ');
        }
        return false;
}

/* "go, check, plan" from "go check plan". */
static void commas(char *buf, size_t size, const char *list) {
        size_t n = 0;

        for (const char *p = list; *p && n + 3 < size; p++) {
                if (*p == ' ') {
                        buf[n++] = ',';
                        buf[n++] = ' ';
                } else
                        buf[n++] = *p;
        }
        buf[n] = '\0';
}

static const HelpCommand *find_command(const char *name) {
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

bool help_knows_command(const char *name) {
        return find_command(name) != NULL;
}

void help_usage(FILE *f) {
        char label[128];

        fputs("Usage: agent [OPTIONS] COMMAND [ARGS]\n\n", f);
        fputs("Boot this host into a rescue system in RAM that comes up on the same\n"
              "addresses with the same SSH host keys, through kexec, without touching disks.\n"
              "\nCommands:\n", f);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                snprintf(label, sizeof(label), "%s%s%s", commands[i].name,
                         commands[i].args ? " " : "", commands[i].args ?: "");
                text_term(f, label, commands[i].summary);
        }
        fputs("\nOptions:\n", f);
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
                char text[1024], list[128] = "";

                option_label(label, sizeof(label), &options[i]);
                if (options[i].commands)
                        commas(list, sizeof(list), options[i].commands);
                snprintf(text, sizeof(text), "%s%s%s%s", list[0] ? "(" : "", list, list[0] ? ") " : "",
                         options[i].text);
                text_term(f, label, text);
        }
        fputs("\nExit status:\n", f);
        for (size_t i = 0; i < sizeof(exit_status) / sizeof(exit_status[0]); i++)
                text_term(f, exit_status[i].term, exit_status[i].text);
        fputs("\n'agent help COMMAND' explains one command; man agent has all of it.\n", f);
}

int help_command(FILE *f, const char *name) {
        const HelpCommand *c = find_command(name);
        char label[128];
        bool any = false;

        if (!c)
                return -ENOENT;
        fprintf(f, "agent %s%s%s\n\n", c->name, c->args ? " " : "", c->args ?: "");
        text_block(f, c->text, 2);
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
                if (!applies_to(&options[i], c->name))
                        continue;
                if (!any)
                        fputs("\nOptions:\n", f);
                any = true;
                option_label(label, sizeof(label), &options[i]);
                text_term(f, label, options[i].text);
        }
        return 0;
}

/* ------------------------------------------------------------------ roff */

/* Text with roff's special characters escaped; a leading '.' or '\'' would
 * be read as a request. */
static void roff_escape(FILE *f, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\')
                        fputs("\\e", f);
                else if (s[i] == '-')
                        fputs("\\-", f);
                else
                        fputc(s[i], f);
        }
}

static void roff_line(FILE *f, const char *s, size_t n) {
        if (n > 0 && (s[0] == '.' || s[0] == '\''))
                fputs("\\&", f);
        roff_escape(f, s, n);
        fputc('\n', f);
}

/* Paragraphs after the first one: .PP at the top level, .IP inside a .TP. */
static void roff_paragraph(FILE *f, const char *para, int nested) {
        if (is_verbatim(para)) {
                fputs(nested ? ".IP\n.nf\n" : ".PP\n.RS 4\n.nf\n", f);
                for (const char *l = para; *l;) {
                        size_t n = strcspn(l, "\n");

                        roff_line(f, l, n);
                        l += n + (l[n] == '\n');
                }
                fputs(nested ? ".fi\n" : ".fi\n.RE\n", f);
                return;
        }
        fputs(nested ? ".IP\n" : ".PP\n", f);
        for (const char *l = para; *l;) {
                size_t n;

                l += strspn(l, " ");
                n = strcspn(l, "\n");
                roff_line(f, l, n);
                l += n + (l[n] == '\n');
        }
}

/* first_bare: the first paragraph is the body of a .TP, without a
 * paragraph request of its own. */
static void roff_block(FILE *f, const char *text, int nested, bool first_bare) {
        char buf[4096];

        for (bool first = true; next_paragraph(&text, buf, sizeof(buf)); first = false) {
                if (first && first_bare && !is_verbatim(buf)) {
                        for (const char *l = buf; *l;) {
                                size_t n = strcspn(l, "\n");

                                roff_line(f, l, n);
                                l += n + (l[n] == '\n');
                        }
                } else
                        roff_paragraph(f, buf, nested);
        }
}

static void roff_option_tag(FILE *f, const HelpOption *o) {
        fputs(".TP\n", f);
        if (o->short_name)
                fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", f);
        roff_escape(f, o->name, strlen(o->name));
        fputs("\\fR", f);
        if (o->arg) {
                fputs("=\\fI", f);
                roff_escape(f, o->arg, strlen(o->arg));
                fputs("\\fR", f);
        }
        fputc('\n', f);
}

static void roff_items(FILE *f, const HelpItem *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                fputs(".TP\n\\fB", f);
                roff_escape(f, items[i].term, strlen(items[i].term));
                fputs("\\fR\n", f);
                roff_block(f, items[i].text, 1, true);
        }
}

void help_man(FILE *f) {
        fputs(".\\\" agent(1): generated by agent-man from agent/agent-help.c; edit that file.\n", f);
        fprintf(f, ".TH AGENT 1 \"\" \"agent %s\" \"User Commands\"\n", PACKAGE_VERSION);
        fputs(".nh\n.ad l\n", f);   /* no hyphenation: options and paths stay whole */
        fputs(".SH NAME\nagent \\- ", f);
        roff_escape(f, name_line, strlen(name_line));
        fputs("\n.SH SYNOPSIS\n.B agent\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n", f);
        fputs(".SH DESCRIPTION\n", f);
        roff_block(f, description, 0, false);

        fputs(".SH COMMANDS\n", f);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                const HelpCommand *c = &commands[i];
                bool any = false;

                fprintf(f, ".TP\n\\fB%s\\fR", c->name);
                if (c->args) {
                        fputs(" \\fI", f);
                        roff_escape(f, c->args, strlen(c->args));
                        fputs("\\fR", f);
                }
                fputc('\n', f);
                roff_block(f, c->text, 1, true);
                for (size_t j = 0; j < sizeof(options) / sizeof(options[0]); j++)
                        if (applies_to(&options[j], c->name)) {
                                fputs(any ? ", " : ".IP\nOptions: ", f);
                                fputs("\\fB\\-\\-", f);
                                roff_escape(f, options[j].name, strlen(options[j].name));
                                fputs("\\fR", f);
                                any = true;
                        }
                if (any)
                        fputs(".\n", f);
        }

        fputs(".SH OPTIONS\n", f);
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
                roff_option_tag(f, &options[i]);
                if (options[i].commands) {
                        char list[128];

                        commas(list, sizeof(list), options[i].commands);
                        fputs("(", f);
                        roff_escape(f, list, strlen(list));
                        fputs(") ", f);
                }
                roff_block(f, options[i].text, 1, true);
        }

        fputs(".SH EXIT STATUS\n", f);
        roff_items(f, exit_status, sizeof(exit_status) / sizeof(exit_status[0]));
        fputs(".SH FILES\n", f);
        roff_items(f, files, sizeof(files) / sizeof(files[0]));
        fputs(".SH WHAT GO CHANGES, AND WHAT IT NEVER TOUCHES\n", f);
        roff_block(f, changes, 0, false);
        fputs(".SH EXAMPLES\n", f);
        roff_block(f, examples, 0, false);
        fputs(".SH SEE ALSO\n"
              ".BR kexec (8),\n"
              ".BR kexec_file_load (2),\n"
              ".BR sshd (8),\n"
              ".BR ip (8)\n", f);
}
