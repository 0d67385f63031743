/* SPDX-License-Identifier: GPL-2.0 */
/* clpmdctrl --updatekey across the servers (mdkey.c). */
#ifndef CLP_MGR_MDKEY_H
#define CLP_MGR_MDKEY_H

#include <json-c/json.h>

/* The "md-updatekey" request (from < 0: a command, else a daemon). */
struct json_object *mdkey_request(struct json_object *req, int from);

#endif /* CLP_MGR_MDKEY_H */
