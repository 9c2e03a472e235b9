#!lua name=revwire
-- revwire.lua - the correlation library, loaded with FUNCTION LOAD REPLACE
-- on every (re)connect and called with FCALL once per event, so that each
-- event's record-and-join is one atomic step on the server: several
-- sensors and ingesters writing at once can neither miss a join nor raise
-- an alert twice.
--
-- redis/schema.c inserts the key table K after the first line: every key
-- name lives there (hash tag {rw}, one slot, so FCALL is valid on Redis
-- Cluster).  Times are milliseconds since the epoch (event time: packet
-- time or Sysmon UtcTime, never the server's clock), so replays give the
-- same alerts.  docs/redis-schema.md describes every key.
--
-- FCALL rw_wire 1 <K.meta> <event json> <config json>
-- FCALL rw_ep   1 <K.meta> <event json> <config json>
--   -> array of JSON alerts created by this call (empty when none)
-- FCALL rw_ep_batch 1 <K.meta> <config json> <event json>...
--   -> the same for each event in turn, as one atomic call; an event
--      that fails adds an error reply to the array, the rest go on
-- FCALL rw_status 1 <K.meta> <alert id> <new|acknowledged|closed> <ms>
--   -> the alert as JSON, or an error "no such alert"

local function num(x) return string.format('%.0f', x) end

local function stat(name, n)
	redis.call('HINCRBY', K.stats, name, n or 1)
end

local function getev(eid)
	local s = redis.call('GET', K.ev .. eid)
	if s then return cjson.decode(s) end
	return nil
end

local function putev(C, e, keep)
	if keep then
		redis.call('SET', K.ev .. e.eid, cjson.encode(e), 'KEEPTTL')
	else
		redis.call('SET', K.ev .. e.eid, cjson.encode(e), 'EX', C.ev_ttl)
	end
end

-- Keeps a time-ordered index bounded: by age and by count.
local function zadd_bounded(key, ts, member, keep_ms, maxn, ttl)
	redis.call('ZADD', key, ts, member)
	redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. num(ts - keep_ms))
	if redis.call('ZCARD', key) > maxn then
		redis.call('ZREMRANGEBYRANK', key, 0, -(maxn + 1))
	end
	redis.call('EXPIRE', key, ttl)
end

local function severity(score)
	if score >= 70 then return 'high' end
	if score >= 40 then return 'medium' end
	return 'low'
end

local function lower(s) return string.lower(s or '') end

local function ends_with(s, suffix)
	s = lower(s)
	return suffix == '' or string.sub(s, -#suffix) == suffix
end

-- Descriptive field groups of an alert.  Each group comes from the
-- earliest evidence that carries it, whatever the arrival order.
local GROUPS = {
	net = { 'src_ip', 'src_port', 'dest_ip', 'dest_port' },
	host = { 'host' },
	proc = { 'image', 'pid', 'user', 'process_guid' },
	tool = { 'tool_image', 'tool_cmd' },
	cert = { 'serial', 'issuer', 'subject', 'ca' },
}

local function alert_json(id)
	local h = redis.call('HGETALL', K.alert .. id)
	if #h == 0 then return nil end
	local a = {}
	for i = 1, #h, 2 do a[h[i]] = h[i + 1] end
	for _, f in ipairs({ 'score', 'count', 'first_seen', 'last_seen',
	    'updated', 'pid', 'src_port', 'dest_port', 'hosts' }) do
		if a[f] ~= nil then a[f] = tonumber(a[f]) end
	end
	for g, _ in pairs(GROUPS) do a['ts_' .. g] = nil end
	a.rank = nil
	a.evidence = redis.call('SORT', K.alertev .. id, 'ALPHA')
	return cjson.encode(a)
end

local function evict(C)
	while redis.call('ZCARD', K.by_time) > C.alerts_max do
		local old = redis.call('ZRANGE', K.by_time, 0, 0)[1]
		local f = redis.call('HMGET', K.alert .. old, 'host', 'rule',
		    'serial')
		redis.call('ZREM', K.by_time, old)
		redis.call('ZREM', K.by_score, old)
		if f[1] and f[1] ~= '' then
			redis.call('ZREM', K.by_host .. f[1], old)
		end
		if f[2] then redis.call('ZREM', K.by_rule .. f[2], old) end
		if f[3] and f[3] ~= '' then
			redis.call('ZREM', K.by_serial .. f[3], old)
		end
		redis.call('DEL', K.alert .. old, K.alertev .. old)
		stat('alerts_evicted')
	end
end

local function stream_add(C, id, change)
	redis.call('XADD', K.stream, 'MAXLEN', '~', C.stream_maxlen, '*',
	    'change', change, 'alert', alert_json(id))
end

--[[
 Creates or updates the alert of rule r identified by key (the dedupe key:
 rule + who + what, never the arrival order).  a holds score, explain,
 ts_min, ts_max and the descriptive groups (each with its evidence time
 a.ts_<group>).  evids: evidence event ids.  New alerts go to out.
]]
local function upsert(C, out, r, key, a, evids)
	local id = string.sub(redis.sha1hex(r .. '|' .. key), 1, 16)
	local hk = K.alert .. id
	local exists = redis.call('EXISTS', hk) == 1
	local evk = K.alertev .. id
	for _, e in ipairs(evids) do
		if redis.call('SCARD', evk) < C.evidence_max then
			redis.call('SADD', evk, e)
		end
	end
	-- the events the descriptive groups came from learn their host or
	-- process later: they refresh the alert then (host_eval)
	for _, e in ipairs(a.dsrc or evids) do
		redis.call('SADD', K.evalerts .. e, id)
		redis.call('EXPIRE', K.evalerts .. e, C.ev_ttl)
	end
	local count = redis.call('SCARD', evk)
	local changed = false
	if not exists then
		redis.call('HSET', hk, 'id', id, 'rule', r, 'key', key,
		    'technique', 'T1588.003', 'status', 'new',
		    'score', a.score, 'severity', severity(a.score),
		    'explain', a.explain, 'first_seen', num(a.ts_min),
		    'last_seen', num(a.ts_max), 'count', count, 'rank', a.rank or 0)
		stat('alerts_created')
		stat('alerts_' .. r)
	else
		local f = redis.call('HMGET', hk, 'score', 'first_seen',
		    'last_seen', 'count', 'explain')
		local score = tonumber(f[1])
		-- the strongest finding, then the one on most evidence, then
		-- the text: the same winner whatever the arrival order
		local rank = tonumber(redis.call('HGET', hk, 'rank') or '0')
		local ar = a.rank or 0
		if a.score > score or (a.score == score and (ar > rank or
		    (ar == rank and a.explain < f[5]))) then
			redis.call('HSET', hk, 'score', a.score, 'severity',
			    severity(a.score), 'explain', a.explain, 'rank', ar)
			changed = changed or a.score > score
		end
		if a.ts_min < tonumber(f[2]) then
			redis.call('HSET', hk, 'first_seen', num(a.ts_min))
		end
		if a.ts_max > tonumber(f[3]) then
			redis.call('HSET', hk, 'last_seen', num(a.ts_max))
		end
		redis.call('HSET', hk, 'count', count)
	end
	for g, fields in pairs(GROUPS) do
		local ts = a['ts_' .. g]
		local v = false
		for _, f in ipairs(fields) do
			if a[f] and a[f] ~= '' then v = true end
		end
		if ts and v then
			local old = redis.call('HGET', hk, 'ts_' .. g)
			if not old or ts < tonumber(old) then
				local prev = redis.call('HGET', hk, 'host')
				for _, f in ipairs(fields) do
					local x = a[f]
					if x == nil then x = '' end
					redis.call('HSET', hk, f, x)
				end
				redis.call('HSET', hk, 'ts_' .. g, num(ts))
				if g == 'host' and prev and prev ~= '' and
				    prev ~= a.host then
					redis.call('ZREM', K.by_host .. prev, id)
				end
				if exists then changed = true end
			end
		end
	end
	local h = redis.call('HMGET', hk, 'last_seen', 'score', 'host',
	    'serial')
	redis.call('ZADD', K.by_time, h[1], id)
	redis.call('ZADD', K.by_score, h[2], id)
	redis.call('ZADD', K.by_rule .. r, h[1], id)
	if h[3] and h[3] ~= '' then
		redis.call('ZADD', K.by_host .. h[3], h[1], id)
	end
	if h[4] and h[4] ~= '' then
		redis.call('ZADD', K.by_serial .. h[4], h[1], id)
	end
	if not exists then
		local j = alert_json(id)
		table.insert(out, j)
		redis.call('XADD', K.stream, 'MAXLEN', '~', C.stream_maxlen,
		    '*', 'change', 'new', 'alert', j)
		evict(C)
	elseif changed then
		stream_add(C, id, 'update')
	end
	return id
end

-- The descriptive groups an event contributes to an alert.
local function desc(e, a)
	a.ts_min = a.ts_min or e.ts
	a.ts_max = a.ts_max or e.ts
	if e.src and e.src ~= '' and e.k == 'wire' then
		a.src_ip, a.src_port, a.dest_ip, a.dest_port =
		    e.src, e.sport, e.dst, e.dport
		a.ts_net = e.ts
	end
	if e.host and e.host ~= '' then
		a.host = e.host
		a.ts_host = e.ts
	end
	if e.image and e.image ~= '' then
		a.image, a.pid, a.user, a.process_guid =
		    e.image, e.pid, e.user, e.guid
		a.ts_proc = e.ts
	end
	return a
end

local function cert_group(a, ts, serial, issuer, subject, ca)
	a.serial, a.issuer, a.subject, a.ca = serial or '', issuer or '',
	    subject or '', ca or ''
	a.ts_cert = ts
	return a
end

-- The earliest verification/signing tool started on host around [lo, hi].
local function find_tool(C, host, lo, hi, kinds)
	if not host or host == '' then return nil end
	local ids = redis.call('ZRANGEBYSCORE', K.htool .. host,
	    lo - C.tool_window, hi + C.tool_window)
	for _, tid in ipairs(ids) do
		local t = getev(tid)
		if t and kinds[t.tool] then return t end
	end
	return nil
end

local SWEEP_TOOLS = { certutil_verify = true, sigcheck = true }
local SIGN_TOOLS = { signtool = true, set_authenticode = true }
local FETCH = { ocsp = true, crl = true, aia = true }

local function is_defender(e)
	return ends_with(e.image, '\\msmpeng.exe') or
	    ends_with(e.image, 'msmpeng.exe')
end

-- A burst of AIA + CDP + OCSP fetches from one client: fixed windows of
-- sweep_window (each pair of neighbouring windows is judged whole), so the
-- result depends on the set of fetches, not on their arrival order.
local function sweep_eval(C, out, ip, ts)
	local b = math.floor(ts / C.sweep_window)
	local memo = {}		-- the two windows overlap: decode once
	local function get(eid)
		if memo[eid] == nil then memo[eid] = getev(eid) or false end
		return memo[eid] or nil
	end
	for _, lo_b in ipairs({ b - 1, b }) do
		local lo, hi = lo_b * C.sweep_window,
		    (lo_b + 2) * C.sweep_window - 1
		local ids = redis.call('ZRANGEBYSCORE', K.ipw .. ip, lo, hi)
		local kinds, nk, n, nocache, evs = {}, 0, 0, false, {}
		local first
		for _, eid in ipairs(ids) do
			local e = get(eid)
			if e and FETCH[e.fetch] and not is_defender(e) then
				if not kinds[e.fetch] then
					kinds[e.fetch] = 0
					nk = nk + 1
				end
				kinds[e.fetch] = kinds[e.fetch] + 1
				n = n + 1
				if e.nocache then nocache = true end
				table.insert(evs, eid)
				if not first or e.ts < first.ts then first = e end
			end
		end
		if n >= C.sweep_min and nk >= 2 then
			local a = desc(first, {})
			local t_lo, t_hi = first.ts, first.ts
			for _, eid in ipairs(evs) do
				local e = get(eid)
				if e.ts > t_hi then t_hi = e.ts end
			end
			a.ts_min, a.ts_max = t_lo, t_hi
			a.score = C.s.verification_sweep
			local why = string.format('%s fetched %d revocation/issuer ' ..
			    'objects in a burst (%d OCSP, %d CRL, %d AIA)', ip, n,
			    kinds.ocsp or 0, kinds.crl or 0, kinds.aia or 0)
			if nocache then
				a.score = a.score + C.s.sweep_nocache
				why = why .. ', with no-cache headers (forced fetch)'
			end
			local host = first.host
			if (not host or host == '') then
				host = redis.call('GET', K.ip .. ip) or ''
				if host ~= '' then a.host, a.ts_host = host, first.ts end
			end
			local t = find_tool(C, host, t_lo, t_hi, SWEEP_TOOLS)
			if t then
				a.score = a.score + C.s.sweep_tool
				a.tool_image, a.tool_cmd, a.ts_tool = t.image, t.cmd, t.ts
				table.insert(evs, t.eid)
				why = why .. '; ' .. t.image .. ' ran on the host: ' ..
				    string.sub(t.cmd or '', 1, 200)
			end
			a.explain = why
			a.rank = n
			a.dsrc = { first.eid }
			local day = math.floor(lo / 86400000)
			upsert(C, out, 'verification_sweep', ip .. '|' .. day, a, evs)
		end
	end
end

local function build_host(C, ip, host)
	for _, b in ipairs(C.build_hosts) do
		if b == ip or (host and host ~= '' and b == host) then
			return true
		end
	end
	return false
end

local function signing_eval(C, out, e)
	local host = e.host
	if not host or host == '' then
		host = redis.call('GET', K.ip .. e.src) or ''
	end
	if build_host(C, e.src, host) then
		stat('signing_build_host')
		return
	end
	local a = desc(e, {})
	if host ~= '' then a.host, a.ts_host = host, e.ts end
	a.score = C.s.signing_activity
	local why = (host ~= '' and host or e.src) ..
	    ' requested an RFC 3161 timestamp' ..
	    (e.tsa and e.tsa ~= '' and (' from ' .. e.tsa) or '') ..
	    ' and is not a build host'
	local evs = { e.eid }
	local t = find_tool(C, host, e.ts, e.ts, SIGN_TOOLS)
	if t then
		a.score = a.score + C.s.signing_tool
		a.tool_image, a.tool_cmd, a.ts_tool = t.image, t.cmd, t.ts
		table.insert(evs, t.eid)
		why = why .. '; signing tool ran: ' .. string.sub(t.cmd or '', 1, 200)
	end
	a.explain = why
	upsert(C, out, 'signing_activity', e.src .. '|' ..
	    math.floor(e.ts / 86400000), a, evs)
end

--[[
 Wire revoked verdict W x endpoint bad signature load L on one host.  A
 Sysmon 7 names the signer but not the serial, so there is one alert per
 load; its certificate is the strongest revoked verdict in the window
 (highest score, then earliest): the cert group's time is biased by the
 score so that "earliest wins" picks it.
]]
local function confirm(C, out, w, v, l)
	if math.abs(w.ts - l.ts) > C.window then return end
	local a = desc(w, {})
	cert_group(a, w.ts - v.score * 1e9, v.serial, v.issuer, l.signature, v.ca)
	a.rank = v.score
	if l.image and l.image ~= '' then
		a.image, a.pid, a.user, a.process_guid = l.image, l.pid, l.user,
		    l.guid
		a.ts_proc = l.ts
	end
	a.host, a.ts_host = l.host, math.min(w.ts, l.ts)
	a.ts_min, a.ts_max = math.min(w.ts, l.ts), math.max(w.ts, l.ts)
	a.score = math.min(C.s.max, v.score + (l.score or 0) + C.s.revoked_confirmed)
	a.dsrc = {}
	a.explain = string.format('the wire says serial %s is revoked (%s) and ' ..
	    'on the same host %s %s (%s); both sides agree', v.serial,
	    v.reason or 'no reason', l.host, l.what or 'a bad signature was seen',
	    l.loaded or '')
	upsert(C, out, 'revoked_confirmed', l.host .. '|' .. (l.loaded or '') ..
	    '|' .. (l.signature or ''), a, { w.eid, l.eid })
end

local function wire_revoked_verdicts(w)
	local r = {}
	for _, v in ipairs(w.verdicts or {}) do
		if v.status == 'revoked' and not v.not_issued then
			table.insert(r, v)
		end
	end
	return r
end

local function has_serial(e) return e.serial ~= nil and e.serial ~= '' end

--[[
 Serial-exact confirmation: an endpoint certificate row L (Defender
 DeviceFileCertificateInfo names CertificateSerialNumber) and a wire
 finding F for the same serial within the window: an OCSP revoked verdict
 (W the wire event) or a CRL listing.  One alert per host and serial; the
 strongest finding gives score and explanation (rank), the row its
 serial, signer and issuer.  Returns true when it fired.
]]
local function confirm_serial(C, out, l, w, f)
	if math.abs(f.ts - l.ts) > C.window then return false end
	local a = desc(l, {})
	if w then
		a.src_ip, a.src_port, a.dest_ip, a.dest_port = w.src, w.sport,
		    w.dst, w.dport
		a.ts_net = w.ts
	end
	-- the row names the issuer: then the certificate fields are the same
	-- whichever finding wins; else the strongest, then earliest, finding
	local issuer = (l.cert_issuer and l.cert_issuer ~= '') and
	    l.cert_issuer or f.issuer
	cert_group(a, f.ts - f.score * 1e9, l.serial, issuer, l.signature, f.ca)
	a.rank = f.score
	a.ts_min, a.ts_max = math.min(f.ts, l.ts), math.max(f.ts, l.ts)
	a.score = math.min(C.s.max, f.score + (l.score or 0) +
	    C.s.revoked_confirmed)
	a.dsrc = {}
	a.explain = string.format('Defender on %s reports a file signed with ' ..
	    'certificate serial %s (signer %s, issuer %s), and %s: the same ' ..
	    'serial, revoked, on both sides', l.host, l.serial,
	    (l.signature and l.signature ~= '') and l.signature or '?',
	    issuer or '?', f.why)
	upsert(C, out, 'revoked_confirmed', l.host .. '|serial:' .. l.serial, a,
	    { f.eid, l.eid })
	return true
end

local function ocsp_finding(w, v)
	return { ts = w.ts, eid = w.eid, score = v.score, issuer = v.issuer,
	    ca = v.ca, why = string.format('the OCSP responder %s told %s it ' ..
	    'is revoked (reason %s)', w.hostname or w.dst, w.src,
	    v.reason or 'none given') }
end

local function crl_finding(C, entry)
	return { ts = entry.ts, eid = entry.eid, issuer = entry.issuer,
	    ca = entry.ca, score = C.s.crl_listed_in_use +
	    (entry.kc and C.s.crl_key_compromise or 0),
	    why = string.format('the CRL of %s fetched on the wire lists it ' ..
	    '(reason %s)', entry.issuer or '?', entry.reason or 'none given') }
end

-- The events of index IDX (K.useep or K.userev) for serial within the
-- window around ts.  Each side reads only the other side's index: K.use
-- also holds every OCSP request, and a serial the whole fleet asks about
-- would make each request read all the others.
local function users_near(C, idx, serial, ts)
	local r = {}
	for _, id in ipairs(redis.call('ZRANGEBYSCORE', idx .. serial,
	    ts - C.window, ts + C.window)) do
		local u = getev(id)
		if u then table.insert(r, u) end
	end
	return r
end

-- W (a wire event) now has a host: host-level joins and indexes.
local function host_eval(C, out, w)
	local host = w.host
	zadd_bounded(K.htl .. host, w.ts, w.eid, C.ev_ttl * 1000,
	    C.timeline_max, C.ev_ttl)
	-- alerts that already hold w learn its host and process
	for _, id in ipairs(redis.call('SMEMBERS', K.evalerts .. w.eid)) do
		local r = redis.call('HMGET', K.alert .. id, 'rule', 'key')
		-- a confirmed alert takes host and process from the endpoint
		if r[1] and r[1] ~= 'revoked_confirmed' then
			-- same score and text: only the descriptive groups change
			local a = desc(w, {})
			local hk = K.alert .. id
			local f = redis.call('HMGET', hk, 'score', 'explain')
			a.score, a.explain = tonumber(f[1]), f[2]
			upsert(C, out, r[1], r[2], a, {})
		end
	end
	local rv = wire_revoked_verdicts(w)
	if #rv > 0 then
		local ids = redis.call('ZRANGEBYSCORE', K.hbad .. host,
		    w.ts - C.window, w.ts + C.window)
		for _, lid in ipairs(ids) do
			local l = getev(lid)
			-- a load that names its serial joins by serial only
			if l and not has_serial(l) then
				for _, v in ipairs(rv) do confirm(C, out, w, v, l) end
			end
		end
	end
	if FETCH[w.fetch] then sweep_eval(C, out, w.src, w.ts) end
	if w.type == 'timestamp' then signing_eval(C, out, w) end
end

local function verdict_alerts(C, out, e)
	for _, v in ipairs(e.verdicts or {}) do
		local a = cert_group(desc(e, {}), e.ts, v.serial, v.issuer,
		    v.subject, v.ca)
		if v.not_issued then
			a.score = C.s.ocsp_not_issued
			a.explain = string.format('the OCSP responder %s says serial ' ..
			    '%s of %s was never issued (certificateHold, revocation ' ..
			    'time 1970-01-01): a certificate with this serial is ' ..
			    'not genuine', e.hostname or e.dst, v.serial,
			    v.ca ~= '' and v.ca or 'an unknown CA')
			upsert(C, out, 'ocsp_not_issued', e.src .. '|' .. v.serial ..
			    '|' .. v.ca, a, { e.eid })
		elseif v.status == 'revoked' then
			a.score = v.score
			a.explain = string.format('the OCSP responder %s says serial ' ..
			    '%s of %s is revoked (reason %s, since %s), asked by %s',
			    e.hostname or e.dst, v.serial,
			    v.ca ~= '' and v.ca or 'an unknown CA',
			    v.reason or 'none given', v.rtime or '?', e.src)
			upsert(C, out, 'ocsp_revoked', e.src .. '|' .. v.serial .. '|' ..
			    v.ca, a, { e.eid })
			redis.call('SET', K.verdict .. v.serial, cjson.encode({
			    status = v.status, reason = v.reason, ca = v.ca,
			    ts = e.ts, eid = e.eid }), 'EX', C.ev_ttl)
			-- a verdict uses its serial even when the request was
			-- not seen: endpoint rows of the serial find it there
			zadd_bounded(K.use .. v.serial, e.ts, e.eid,
			    C.ev_ttl * 1000, C.use_max, C.ev_ttl)
			zadd_bounded(K.userev .. v.serial, e.ts, e.eid,
			    C.ev_ttl * 1000, C.use_max, C.ev_ttl)
			for _, l in ipairs(users_near(C, K.useep, v.serial, e.ts)) do
				if l.serial == v.serial then
					confirm_serial(C, out, l, e, ocsp_finding(e, v))
				end
			end
		end
	end
end

-- A serial in use (user: a wire or endpoint event) that a CRL lists.
local function crl_hit(C, out, user, serial, entry)
	local a = desc(user, {})
	a.ts_min = math.min(user.ts, entry.ts)
	a.ts_max = math.max(user.ts, entry.ts)
	cert_group(a, user.ts, serial, entry.issuer, '', entry.ca)
	a.score = C.s.crl_listed_in_use + (entry.kc and C.s.crl_key_compromise or 0)
	-- who: the address for a wire user (its host may come later), the
	-- host for an endpoint one, so the dedupe key ignores arrival order
	local who = user.k == 'wire' and user.src or user.host
	a.dsrc = { user.eid }
	a.explain = string.format('serial %s is listed as revoked (reason %s) ' ..
	    'in the CRL of %s fetched on the wire, and %s uses it (%s)', serial,
	    entry.reason or 'none given', entry.issuer or '?', who or '?',
	    user.k == 'wire' and 'OCSP request' or 'endpoint certificate')
	upsert(C, out, 'crl_listed_in_use', (who or '') .. '|' .. serial, a,
	    { user.eid, entry.eid })
end

-- An endpoint row within the window is a confirmation, anyone else a use.
local function crl_user(C, out, user, serial, entry)
	if user.k == 'ep' and user.serial == serial and
	    confirm_serial(C, out, user, nil, crl_finding(C, entry)) then
		return
	end
	crl_hit(C, out, user, serial, entry)
end

local function inuse_add(C, out, e, serial)
	local key = K.use .. serial
	zadd_bounded(key, e.ts, e.eid, C.ev_ttl * 1000, C.use_max, C.ev_ttl)
	local s = redis.call('GET', K.crl .. serial)
	if s then crl_user(C, out, e, serial, cjson.decode(s)) end
	if e.k ~= 'ep' then return end
	zadd_bounded(K.useep .. serial, e.ts, e.eid, C.ev_ttl * 1000, C.use_max,
	    C.ev_ttl)
	for _, w in ipairs(users_near(C, K.userev, serial, e.ts)) do
		for _, v in ipairs(wire_revoked_verdicts(w)) do
			if v.serial == serial then
				confirm_serial(C, out, e, w, ocsp_finding(w, v))
			end
		end
	end
end

local function crl_add(C, out, e)
	local c = e.crl
	for _, s in ipairs(c.serials or {}) do
		local serial, reason = s[1], s[2]
		if reason == '' then reason = nil end
		local entry = { issuer = c.issuer, ca = e.ca, reason = reason,
		    kc = reason == 'keyCompromise', eid = e.eid, ts = e.ts }
		-- a serial already listed keeps its first listing (and its TTL
		-- is renewed): the users were joined then, or join on arrival,
		-- so a CRL fetched again and again costs one SET per serial
		if redis.call('EXPIRE', K.crl .. serial, C.crl_ttl) == 0 then
			redis.call('SET', K.crl .. serial, cjson.encode(entry), 'EX',
			    C.crl_ttl)
			for _, uid in ipairs(redis.call('ZRANGE', K.use .. serial, 0,
			    -1)) do
				local u = getev(uid)
				if u then crl_user(C, out, u, serial, entry) end
			end
		end
	end
end

local function ca_seen(C, out, e)
	if not e.ca or e.ca == '' then return end
	-- prevalence counts client addresses: a host name may only come
	-- later, and the count must not depend on arrival order
	redis.call('PFADD', K.cahosts .. e.ca, e.src)
	redis.call('EXPIRE', K.cahosts .. e.ca, C.ca_ttl)
	local n = redis.call('PFCOUNT', K.cahosts .. e.ca)
	redis.call('ZADD', K.cas, n, e.ca)
	local info = redis.call('HGET', K.cainfo, e.ca)
	local ci
	if info then ci = cjson.decode(info) else
		ci = { name = e.ca_name or '', first_seen = e.ts, last_seen = e.ts,
		    known = e.ca_known and true or false, events = 0 }
	end
	-- once any sensor resolved the CA in its trust store, it is known
	if e.ca_known then ci.known = true end
	if ci.name == '' and e.ca_name and e.ca_name ~= '' then
		ci.name = e.ca_name
	end
	if e.ts < ci.first_seen then ci.first_seen = e.ts end
	if e.ts > ci.last_seen then ci.last_seen = e.ts end
	ci.events = ci.events + 1
	ci.hosts = n
	redis.call('HSET', K.cainfo, e.ca, cjson.encode(ci))
	if redis.call('ZCARD', K.cas) > C.ca_max then
		local gone = redis.call('ZRANGE', K.cas, 0, 0)[1]
		redis.call('ZREM', K.cas, gone)
		redis.call('HDEL', K.cainfo, gone)
		redis.call('DEL', K.cahosts .. gone)
		stat('ca_evicted')
	end
	if not ci.known and n < C.rare_hosts then
		local a = cert_group(desc(e, {}), e.ts, '', e.ca_name, '', e.ca)
		a.ts_min, a.ts_max = e.ts, e.ts
		a.score = C.s.rare_ca
		a.hosts = n
		a.explain = string.format('CA %s is in no trust store and was ' ..
		    'consulted by %d host(s) across the fleet (fewer than %d)',
		    e.ca_name ~= '' and e.ca_name or e.ca, n, C.rare_hosts)
		a.rank = n
		local id = upsert(C, out, 'rare_ca', e.ca, a, { e.eid })
		redis.call('HSET', K.alert .. id, 'hosts', n)
	end
end

local function cryptoapi_other(C, out, e)
	local a = desc(e, {})
	a.score = C.s.cryptoapi_non_pki
	a.explain = string.format('%s sent User-Agent %s to %s%s and got a ' ..
	    'body that is no OCSP, CRL, certificate or PKCS#7 (%s): CryptoAPI ' ..
	    'abused as a downloader, or an implant spoofing it', e.src,
	    e.ua or '?', e.hostname or e.dst, e.url or '', e.ctype or 'unknown type')
	upsert(C, out, 'cryptoapi_non_pki', e.src .. '|' .. (e.hostname or e.dst)
	    .. '|' .. (e.url or ''), a, { e.eid })
end

-- The sensor found the response forged (signature) or unauthorised.
local function untrusted_response(C, out, e)
	local a = cert_group(desc(e, {}), e.ts, e.first_serial, e.ca_name, '',
	    e.ca)
	a.score = C.s.ocsp_untrusted_response
	a.explain = string.format('%s received an OCSP response from %s that ' ..
	    'claims to speak for %s, but %s (responder %s)', e.src,
	    e.hostname or e.dst, (e.ca_name and e.ca_name ~= '') and e.ca_name or
	    (e.ca or 'an unknown CA'), e.untrusted, e.responder or '?')
	upsert(C, out, 'ocsp_untrusted_response', e.src .. '|' .. (e.ca or '') ..
	    '|' .. (e.first_serial or ''), a, { e.eid })
end

local function tuple(e)
	return e.src .. ':' .. num(e.sport) .. ':' .. e.dst .. ':' .. num(e.dport)
end

local function attach(e, c)
	e.host, e.image, e.pid, e.user, e.guid, e.ep3 =
	    c.host, c.image, c.pid, c.user, c.guid, c.eid
end

local function on_wire(C, e, out)
	if e.chunk then
		-- the rest of a long CRL, sent in pieces so that no single
		-- call blocks the server for long
		crl_add(C, out, e)
		return
	end
	if redis.call('EXISTS', K.ev .. e.eid) == 1 then
		stat('wire_duplicate')
		return
	end
	stat('wire_events')
	local t = tuple(e)
	local cs = redis.call('GET', K.conn .. t)
	local c = cs and cjson.decode(cs)
	if c and math.abs(c.ts - e.ts) <= C.window then
		attach(e, c)
		stat('wire_attributed')
	else
		redis.call('SADD', K.pend .. t, e.eid)
		redis.call('EXPIRE', K.pend .. t, math.ceil(C.window / 1000) * 2)
		local h = redis.call('GET', K.ip .. e.src)
		if h then e.host = h end
	end
	putev(C, e)
	zadd_bounded(K.ipw .. e.src, e.ts, e.eid, C.ev_ttl * 1000,
	    C.timeline_max, C.ev_ttl)
	verdict_alerts(C, out, e)
	for _, s in ipairs(e.inuse or {}) do inuse_add(C, out, e, s) end
	if e.crl then crl_add(C, out, e) end
	ca_seen(C, out, e)
	if e.type == 'cryptoapi_other' then cryptoapi_other(C, out, e) end
	if e.untrusted then untrusted_response(C, out, e) end
	if e.host and e.host ~= '' then
		host_eval(C, out, e)
	else
		if FETCH[e.fetch] then sweep_eval(C, out, e.src, e.ts) end
		if e.type == 'timestamp' then signing_eval(C, out, e) end
	end
end

-- Sysmon 3 (or a Defender network row): host map and 5-tuple attribution.
local function on_conn(C, e, out)
	local t = tuple(e)
	local ttl = math.ceil(C.window / 1000) * 2
	redis.call('SET', K.conn .. t, cjson.encode({ host = e.host,
	    image = e.image, pid = e.pid, user = e.user, guid = e.guid,
	    eid = e.eid, ts = e.ts }), 'EX', ttl)
	local prev = redis.call('SET', K.ip .. e.src, e.host, 'EX', C.ipmap_ttl,
	    'GET')
	if prev ~= e.host then
		redis.call('SADD', K.hostips .. e.host, e.src)
	end
	redis.call('EXPIRE', K.hostips .. e.host, C.ipmap_ttl)
	for _, wid in ipairs(redis.call('SMEMBERS', K.pend .. t)) do
		local w = getev(wid)
		if w and math.abs(w.ts - e.ts) <= C.window then
			attach(w, e)
			putev(C, w, true)
			redis.call('SREM', K.pend .. t, wid)
			stat('wire_attributed')
			host_eval(C, out, w)
		end
	end
	if prev ~= e.host then
		-- the address now names a host: earlier wire events from it join
		local ids = redis.call('ZRANGEBYSCORE', K.ipw .. e.src,
		    e.ts - C.window, e.ts + C.window)
		for _, wid in ipairs(ids) do
			local w = getev(wid)
			if w and (not w.host or w.host == '') then
				w.host = e.host
				putev(C, w, true)
				host_eval(C, out, w)
			end
		end
	end
end

local function host_wire(C, host, lo, hi)
	local r = {}
	for _, ip in ipairs(redis.call('SMEMBERS', K.hostips .. host)) do
		for _, wid in ipairs(redis.call('ZRANGEBYSCORE', K.ipw .. ip, lo,
		    hi)) do
			local w = getev(wid)
			if w and w.host == host then table.insert(r, w) end
		end
	end
	return r
end

local function on_ep(C, e, out)
	-- a plain network connection is only state (no evidence, no alert):
	-- recording it twice is harmless, so it skips the dedupe and the
	-- event copy, the bulk of an endpoint feed
	local plain = e.kind == 3 and not (e.tool or e.bad or e.flagged or e.serial)
	if plain then
		stat('ep_events')
		if e.src and e.sport then on_conn(C, e, out) end
		return
	end
	if redis.call('EXISTS', K.ev .. e.eid) == 1 then
		stat('ep_duplicate')
		return
	end
	stat('ep_events')
	putev(C, e)
	if e.kind == 3 and e.src and e.sport then on_conn(C, e, out) end
	if e.kind == 22 then
		for _, ip in ipairs(e.dns_ips or {}) do
			redis.call('SET', K.dns .. ip, e.dns_name, 'EX', C.ipmap_ttl)
		end
	end
	if e.tool and e.tool ~= '' then
		zadd_bounded(K.htool .. e.host, e.ts, e.eid, C.ev_ttl * 1000,
		    C.timeline_max, C.ev_ttl)
		zadd_bounded(K.htl .. e.host, e.ts, e.eid, C.ev_ttl * 1000,
		    C.timeline_max, C.ev_ttl)
		for _, w in ipairs(host_wire(C, e.host, e.ts - C.tool_window,
		    e.ts + C.tool_window)) do
			if FETCH[w.fetch] and SWEEP_TOOLS[e.tool] then
				sweep_eval(C, out, w.src, w.ts)
			end
			if w.type == 'timestamp' and SIGN_TOOLS[e.tool] then
				signing_eval(C, out, w)
			end
		end
	end
	if e.bad then
		zadd_bounded(K.hbad .. e.host, e.ts, e.eid, C.ev_ttl * 1000,
		    C.timeline_max, C.ev_ttl)
		zadd_bounded(K.htl .. e.host, e.ts, e.eid, C.ev_ttl * 1000,
		    C.timeline_max, C.ev_ttl)
		for _, w in ipairs(has_serial(e) and {} or host_wire(C, e.host,
		    e.ts - C.window, e.ts + C.window)) do
			for _, v in ipairs(wire_revoked_verdicts(w)) do
				confirm(C, out, w, v, e)
			end
		end
	end
	if e.flagged then
		local a = desc(e, {})
		if e.serial and e.serial ~= '' then
			cert_group(a, e.ts, e.serial, e.cert_issuer, e.signature, '')
		else
			cert_group(a, e.ts, '', '', e.signature, '')
		end
		a.score = e.score
		a.explain = e.explain
		upsert(C, out, 'endpoint_signature', e.host .. '|' ..
		    (e.loaded or '') .. '|' .. (e.sha1 or ''), a, { e.eid })
	end
	if e.serial and e.serial ~= '' then inuse_add(C, out, e, e.serial) end
end

local function call(keys, args, fn)
	local e = cjson.decode(args[1])
	local C = cjson.decode(args[2])
	local out = {}
	fn(C, e, out)
	return out
end

redis.register_function('rw_wire', function(keys, args)
	return call(keys, args, on_wire)
end)

redis.register_function('rw_ep', function(keys, args)
	return call(keys, args, on_ep)
end)

redis.register_function('rw_ep_batch', function(keys, args)
	local C = cjson.decode(args[1])
	local out = {}
	for i = 2, #args do
		local ok, err = pcall(function()
			on_ep(C, cjson.decode(args[i]), out)
		end)
		if not ok then table.insert(out, { err = tostring(err) }) end
	end
	return out
end)

redis.register_function('rw_status', function(keys, args)
	local id, status, ts, maxlen = args[1], args[2], args[3], args[4]
	local hk = K.alert .. id
	if redis.call('EXISTS', hk) == 0 then
		return redis.error_reply('no such alert ' .. id)
	end
	if status ~= 'new' and status ~= 'acknowledged' and status ~= 'closed' then
		return redis.error_reply('bad status ' .. status)
	end
	local old = redis.call('HGET', hk, 'status')
	if old ~= status then
		redis.call('HSET', hk, 'status', status, 'updated', ts)
		stat('alerts_' .. status)
		redis.call('XADD', K.stream, 'MAXLEN', '~', maxlen, '*',
		    'change', status, 'alert', alert_json(id))
	end
	return alert_json(id)
end)
