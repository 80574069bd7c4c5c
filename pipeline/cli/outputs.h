/*
 * outputs.h: writing a built report in the format asked for, shared by
 * `tension report` and `tension run`.
 */
#ifndef TM_CLI_OUTPUTS_H
#define TM_CLI_OUTPUTS_H

#include <jansson.h>
#include <stdio.h>

#include "tm/common.h"
#include "tm/render.h"

/* Writes `report` as JSON (file or "-"), CSV (into the folder `out`) or
 * HTML (file or "-"). With `say` non-NULL, prints one line per file written
 * there ("csv:      reports/out/csv/periods.csv"). */
int tm_cli_write_report(const json_t *report, tm_out_format fmt, const char *out, int redacted,
                        FILE *say, tm_err *err);

#endif
