/*
 * eve_tsp.h - the "tsp" object of RFC 3161 timestamp events (jansson);
 * field names in docs/events.md.
 */
#ifndef RW_EVE_TSP_H
#define RW_EVE_TSP_H

#include <jansson.h>

#include "proto/proto.h"

/*
 * {request {...}, response {...}, signing_activity}: either side omitted
 * when NULL (not seen or not decodable).  Returns a new reference (caller
 * json_decref()s), or NULL on OOM.
 */
json_t	*tsp_json(const struct tsp_req *req, const struct tsp_resp *resp);

#endif /* RW_EVE_TSP_H */
