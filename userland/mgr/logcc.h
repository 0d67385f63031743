/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log collection in clpmgrd (guide 2.9): the requests clplogcc sends for
 * another server's archive (through this daemon to that server's, over the
 * signed request channel), and the archive written on its own when a
 * group resource fails to activate (<prefix>/log/ecap/).
 */
#ifndef CLP_MGR_LOGCC_H
#define CLP_MGR_LOGCC_H

#include <json-c/json.h>

/* The ops "logcc" (type: make this server's archive in <prefix>/tmp; reply
 * name, size), "logcc-read" (name, offset: reply data in base64, len, eof)
 * and "logcc-done" (name: remove it). */
struct json_object *logcc_request(struct json_object *req);

/* In the background: <prefix>/log/ecap/<YYYYmmddHHMMSS>_<module>_<event>.tar.gz,
 * the type1 archive, after event @event of @module about @what. */
void logcc_ecap(const char *module, int event, const char *what);

#endif /* CLP_MGR_LOGCC_H */
