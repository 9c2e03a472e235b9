/* cmd.h - entry points of the revwire subcommands (argv[0] is the name). */
#ifndef RW_CMD_H
#define RW_CMD_H

int	sensor_main(int argc, char **argv);
int	ingest_main(int argc, char **argv);
int	query_main(int argc, char **argv);
int	alert_main(int argc, char **argv);
int	redis_main(int argc, char **argv);

#endif
