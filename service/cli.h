/* tlsward: the command line, shared by the POSIX and Windows entry points. */
#ifndef TLSR_CLI_H
#define TLSR_CLI_H

/* Runs `tlsward ARGS...` with UTF-8 arguments; returns the exit code. */
int tlsr_cli_main(int argc, char **argv);

#endif
