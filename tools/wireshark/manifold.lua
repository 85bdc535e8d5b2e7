-- Wireshark/tshark dissector for what gns's say to each other (issue 14):
-- the transport's datagrams on UDP 7700 (servers/gns/transport/README.md,
-- Wire format) and the beacons on UDP 7701 (servers/gns/detect.c).
-- The header is in clear (authenticated); so are a DATA's payload in
-- auth-only mode, whose first fragment of a message then shows what gns
-- carries (servers/gns/carry.h): its kind and, for a MSG, the destination's
-- global identity and the Mach message id.
--
--   tshark -X lua_script:tools/wireshark/manifold.lua -r node.pcap -Y manifold
--
-- Fields: manifold.{type,flags,widths,src,dst,session,pn,dsn,ack,sack,window,msg,
-- prev,port,msg_len,frag,frags,payload_len,tag}, manifold.carry.{kind,
-- dest_node,dest_port,msgh_id}, manifold.beacon.{kind,node,boot,seq,inc,tag,subject,
-- subject_boot,subject_inc,silent_ms,origin,watcher}.

local T_PORT, B_PORT = 7700, 7701
local HEADER_MIN, TAG = 16, 16

local types = { [1] = "HELLO", [2] = "REPLY", [3] = "DATA", [4] = "ACK" }
local kinds = { [1] = "MSG", [2] = "NAK", [3] = "DROP", [4] = "PING", [5] = "LOOKUP", [6] = "FOUND",
	[7] = "MISSING", [8] = "RELEASE", [9] = "ADD", [10] = "MOVED", [11] = "PAUSE", [12] = "RESUME",
	[13] = "REDIRECT", [14] = "FLUSH", [15] = "MARK", [16] = "REDIRECTED" }

-- the beacons' kinds by their magic (servers/gns/detect.c), and their lengths with the tag;
-- NOTICE, PROBE, ACK and VOUCH name a subject
local bkinds = { [1] = "ANNOUNCE", [2] = "HEARTBEAT", [3] = "RESIGN", [4] = "NOTICE", [5] = "PROBE",
	[6] = "ACK", [7] = "VOUCH" }
local bmagic = { [0x4d584232] = { 1, 44 }, [0x4d584832] = { 2, 44 }, [0x4d585232] = { 3, 44 },
	[0x4d584432] = { 4, 64 }, [0x4d585032] = { 5, 64 }, [0x4d584132] = { 6, 64 }, [0x4d585632] = { 7, 64 } }

local p = Proto("manifold", "Manifold gns transport")
local f = {
	version = ProtoField.uint8("manifold.version", "Version"),
	type = ProtoField.uint8("manifold.type", "Type", base.DEC, types),
	flags = ProtoField.uint16("manifold.flags", "Flags", base.HEX),
	widths = ProtoField.uint32("manifold.widths", "Field widths", base.HEX),
	auth_only = ProtoField.bool("manifold.auth_only", "Auth-only (payload in clear)"),
	src = ProtoField.uint32("manifold.src", "Source node"),
	dst = ProtoField.uint32("manifold.dst", "Destination node"),
	session = ProtoField.uint64("manifold.session", "Session", base.HEX),
	pn = ProtoField.uint64("manifold.pn", "Packet number"),
	dsn = ProtoField.uint64("manifold.dsn", "Data sequence number"),
	ack = ProtoField.uint64("manifold.ack", "Acknowledged up to"),
	sack = ProtoField.uint64("manifold.sack", "Selective acknowledgement", base.HEX),
	window = ProtoField.uint32("manifold.window", "Window"),
	msg = ProtoField.uint32("manifold.msg", "Message id"),
	prev = ProtoField.uint32("manifold.prev", "Previous message to the port"),
	port = ProtoField.uint32("manifold.port", "Port"),
	msg_len = ProtoField.uint32("manifold.msg_len", "Message length"),
	frag = ProtoField.uint32("manifold.frag", "Fragment"),
	frags = ProtoField.uint32("manifold.frags", "Fragments"),
	payload_len = ProtoField.uint16("manifold.payload_len", "Payload length (what follows the header)"),
	payload = ProtoField.bytes("manifold.payload", "Payload"),
	tag = ProtoField.bytes("manifold.tag", "Tag"),
	kind = ProtoField.uint8("manifold.carry.kind", "Carried", base.DEC, kinds),
	dest_node = ProtoField.uint32("manifold.carry.dest_node", "Destination's home node"),
	dest_port = ProtoField.uint32("manifold.carry.dest_port", "Destination's number there"),
	dest_check = ProtoField.uint64("manifold.carry.dest_check", "Destination's check field", base.HEX),
	msgh_id = ProtoField.int32("manifold.carry.msgh_id", "Mach message id"),
	b_kind = ProtoField.uint8("manifold.beacon.kind", "Beacon: kind", base.DEC, bkinds),
	b_node = ProtoField.uint32("manifold.beacon.node", "Beacon: node"),
	b_boot = ProtoField.uint64("manifold.beacon.boot", "Beacon: boot id", base.HEX),
	b_seq = ProtoField.uint64("manifold.beacon.seq", "Beacon: sequence"),
	b_tag = ProtoField.bytes("manifold.beacon.tag", "Beacon: HMAC-SHA256 tag (truncated)"),
	b_inc = ProtoField.uint32("manifold.beacon.inc", "Beacon: incarnation"),
	b_subject = ProtoField.uint32("manifold.beacon.subject", "Subject: node"),
	b_subject_boot = ProtoField.uint64("manifold.beacon.subject_boot", "Subject: its boot id", base.HEX),
	b_subject_inc = ProtoField.uint32("manifold.beacon.subject_inc", "Subject: its incarnation"),
	b_silent = ProtoField.uint32("manifold.beacon.silent_ms", "Notice, vouch: its silence (ms)"),
	b_origin = ProtoField.uint32("manifold.beacon.origin", "Probe: the node that asks", base.DEC, nil, 0x7fffffff),
	b_watcher = ProtoField.bool("manifold.beacon.watcher", "Ack: the asker watches the subject", 32, nil,
		0x80000000),
}
p.fields = {}
for _, v in pairs(f) do table.insert(p.fields, v) end

local e_short = ProtoExpert.new("manifold.short", "Shorter than its header says", expert.group.MALFORMED,
	expert.severity.ERROR)
p.experts = { e_short }

-- A MSG's (or another control payload's) first bytes, when the payload is in clear.
local function carried(buf, tree)
	if buf:len() < 1 then return end
	local kind = buf(0, 1):uint()
	tree:add(f.kind, buf(0, 1))
	if kind == 1 and buf:len() >= 21 then
		tree:add(f.dest_node, buf(1, 4))
		tree:add(f.dest_port, buf(5, 4))
		tree:add(f.dest_check, buf(9, 8))
		tree:add(f.msgh_id, buf(17, 4))
	end
	return kinds[kind]
end

-- The header (servers/gns/transport/README.md, Wire format): 16 fixed bytes,
-- then each field in the bytes its 2-bit width code names (none when zero).
local size32, size64 = { [0] = 0, 1, 2, 4 }, { [0] = 0, 2, 4, 8 }
local fields = { { "src", 32 }, { "dst", 32 }, { "pn", 64 }, { "ack", 64 }, { "sack", 64 }, { "window", 32 },
	{ "dsn", 64 }, { "msg", 32 }, { "prev", 32 }, { "port", 32 }, { "msg_len", 32 }, { "frag", 32 },
	{ "frags", 32 } }
local WHOLE = 2 -- flags: a one-fragment DATA, its msg_len, frag and frags not sent

-- Every field's value (UInt64 for the 64-bit ones), its range or nil, and the header's length;
-- nil when the datagram is shorter than its widths say.
local function header(buf)
	local widths, whole = buf(4, 4):uint(), bit.band(buf(2, 2):uint(), WHOLE) ~= 0
	local v, r, off = {}, {}, HEADER_MIN
	for i, fd in ipairs(fields) do
		local code = bit.band(bit.rshift(widths, 32 - 2 * i), 3)
		local n = (fd[2] == 64 and size64 or size32)[code]
		if off + n + TAG > buf:len() then return nil end
		if n == 0 then
			v[fd[1]] = fd[2] == 64 and UInt64(0) or 0
		else
			r[fd[1]] = buf(off, n)
			v[fd[1]] = fd[2] == 64 and buf(off, n):uint64() or buf(off, n):uint()
		end
		off = off + n
	end
	if whole then
		v.msg_len, v.frag, v.frags = buf:len() - off - TAG, 0, 1
	end
	return v, r, off
end

function p.dissector(buf, pinfo, root)
	if buf:len() < HEADER_MIN + TAG then return 0 end
	pinfo.cols.protocol = "MANIFOLD"
	local t = root:add(p, buf(), "Manifold gns transport")
	local ty = buf(1, 1):uint()
	local flags = buf(2, 2):uint()
	t:add(f.version, buf(0, 1))
	t:add(f.type, buf(1, 1))
	t:add(f.flags, buf(2, 2))
	t:add(f.auth_only, flags % 2 == 1)
	t:add(f.widths, buf(4, 4))
	t:add(f.session, buf(8, 8))
	local v, r, hlen = header(buf)
	if v == nil then
		t:add_proto_expert_info(e_short)
		return buf:len()
	end
	for _, fd in ipairs(fields) do
		local name = fd[1]
		if r[name] then t:add(f[name], r[name], v[name]) else t:add(f[name], v[name]) end
	end
	local plen = buf:len() - hlen - TAG
	t:add(f.payload_len, plen)
	local info = string.format("%s %u->%u pn=%s", types[ty] or "?", v.src, v.dst, tostring(v.pn))
	if ty == 3 then
		info = info .. string.format(" dsn=%s msg=%u port=%u frag=%u/%u", tostring(v.dsn), v.msg, v.port,
			v.frag, v.frags)
	end
	info = info .. " ack=" .. tostring(v.ack)
	if plen > 0 then
		local pt = t:add(f.payload, buf(hlen, plen))
		if ty == 3 and flags % 2 == 1 and v.frag == 0 then
			local k = carried(buf(hlen, plen):tvb(), pt)
			if k then info = info .. " " .. k end
		end
	end
	t:add(f.tag, buf(hlen + plen, TAG))
	pinfo.cols.info = info
	return buf:len()
end

local b = Proto("manifold_beacon", "Manifold gns beacon")
b.fields = {}
function b.dissector(buf, pinfo, root)
	if buf:len() < 44 then return 0 end
	local k = bmagic[buf(0, 4):uint()]
	if k == nil or buf:len() < k[2] then return 0 end
	-- a HEARTBEAT may carry a death (gossip): then it has a subject, as a NOTICE
	local len, subject = k[2], k[1] >= 4
	if k[1] == 2 and buf:len() >= 64 then len, subject = 64, true end
	pinfo.cols.protocol = "MANIFOLD"
	local t = root:add(p, buf(0, len), "Manifold gns beacon")
	t:add(f.b_kind, buf(0, 4), k[1])
	t:add(f.b_node, buf(4, 4))
	t:add(f.b_boot, buf(8, 8))
	t:add(f.b_seq, buf(16, 8))
	t:add(f.b_inc, buf(24, 4))
	local info = string.format("%s node %u seq %s inc %u", bkinds[k[1]], buf(4, 4):uint(),
		tostring(buf(16, 8):uint64()), buf(24, 4):uint())
	if subject then
		t:add(f.b_subject, buf(28, 4))
		t:add(f.b_subject_boot, buf(32, 8))
		t:add(f.b_subject_inc, buf(40, 4))
		if k[1] == 4 or k[1] == 2 then
			t:add(f.b_silent, buf(44, 4))
			info = info .. string.format(": node %u inc %u dead, silent %u ms", buf(28, 4):uint(),
				buf(40, 4):uint(), buf(44, 4):uint())
		elseif k[1] == 7 then
			t:add(f.b_silent, buf(44, 4))
			info = info .. string.format(": node %u inc %u heard %u ms ago", buf(28, 4):uint(),
				buf(40, 4):uint(), buf(44, 4):uint())
		else
			t:add(f.b_origin, buf(44, 4))
			if k[1] == 6 then t:add(f.b_watcher, buf(44, 4)) end
			info = info .. string.format(": node %u inc %u for node %u", buf(28, 4):uint(), buf(40, 4):uint(),
				buf(44, 4):uint() % 0x80000000)
		end
	end
	t:add(f.b_tag, buf(len - 16, 16))
	pinfo.cols.info = info
	return len
end

local udp = DissectorTable.get("udp.port")
udp:add(T_PORT, p)
udp:add(B_PORT, b)
