package diff

import "testing"

// Differential tests of scripting (Redis's eval.c, functions.c, script.c,
// script_lua.c; Cinnabar's internal/command/scripting.go on top of
// internal/script). Replies are compared byte for byte.

// scriptCorpus is run in RESP2 and again after HELLO 3.
var scriptCorpus = [][]string{
	{"EVAL", "return 1", "0"},
	// SORT BY a constant sorts a set when called from a script (sort.c, CLIENT_SCRIPT).
	{"EVAL", "redis.call('sadd',KEYS[1],'c','a','b','e','d'); return redis.call('sort',KEYS[1],'by','nosort')", "1", "sortset"},
	{"EVAL", "return {1,2,{3,'x'},'y'}", "0"},
	{"EVAL", "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", "2", "k1", "k2", "a1", "a2"},
	{"EVAL", "return redis.call('set',KEYS[1],ARGV[1])", "1", "sk", "v"},
	{"EVAL", "return redis.call('get',KEYS[1])", "1", "sk"},
	{"EVAL", "return redis.call('get','nokey')", "0"},
	{"EVAL", "return redis.call('incr','sk')", "0"},
	{"EVAL", "return redis.pcall('incr','sk')", "0"},
	{"EVAL", "local ok = redis.pcall('incr','sk'); return ok['err']", "0"},
	{"EVAL", "return redis.call('nosuchcmd')", "0"},
	{"EVAL", "return redis.pcall('nosuchcmd')", "0"},
	{"EVAL", "return redis.call('get')", "0"},
	{"EVAL", "return redis.call('eval','return 1','0')", "0"},
	{"EVAL", "return redis.call('multi')", "0"},
	{"EVAL", "return redis.status_reply('FINE')", "0"},
	{"EVAL", "return redis.error_reply('MY err')", "0"},
	{"EVAL", "return {err='x y'}", "0"},
	{"EVAL", "error('boom')", "0"},
	{"EVAL", "return 3.99", "0"},
	{"EVAL", "return true", "0"},
	{"EVAL", "return false", "0"},
	{"EVAL", "return nil", "0"},
	{"EVAL", "return cjson.encode({a=1})", "0"},
	{"EVAL", "return cjson.decode('[1,2,\"x\"]')", "0"},
	{"EVAL", "return cjson.decode(cjson.encode({1,2,3}))", "0"},
	{"EVAL", "return cmsgpack.unpack(cmsgpack.pack({1,2,'abc'}))", "0"},
	{"EVAL", "return cmsgpack.pack('hi')", "0"},
	{"EVAL", "return cjson.encode({1.5, -0.25, 1e20, 'a\\\"b', {x={y={}}}})", "0"},
	{"EVAL", "return cjson.encode(cjson.decode('{\"k\":[true,false,null,3]}'))", "0"},
	{"EVAL", "return cjson.decode('{bad')", "0"},
	{"EVAL", "local t = cmsgpack.unpack(cmsgpack.pack({a=1, b={2,3}, c='x'})); return {t.a, t.b[2], t.c}", "0"},
	{"EVAL", "return {cmsgpack.unpack(cmsgpack.pack(1, -1, 65536, 2^40, 'str', 1.5))}", "0"},
	{"EVAL", "return cmsgpack.pack({1,2,3}, 'x', true)", "0"},
	{"EVAL", "return struct.pack('>I4HbB', 305419896, 4660, -2, 255)", "0"},
	{"EVAL", "return {struct.unpack('<i4h', struct.pack('<i4h', -123456, -7))}", "0"},
	{"EVAL", "return {struct.unpack('s', 'abc' .. string.char(0) .. 'def')}", "0"},
	{"EVAL", "return struct.size('>iI2d')", "0"},
	{"EVAL", "return struct.pack('z', 'hi')", "0"},
	{"EVAL", "return struct.unpack('>I4', 'ab')", "0"},
	{"EVAL", "return {bit.band(0xff, 0x0f), bit.bor(1, 6), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4)}", "0"},
	{"EVAL", "return {bit.tohex(255), bit.tohex(-1, 4), bit.tobit(2^32 + 5), bit.rol(1, 33), bit.bswap(0x12345678)}", "0"},
	{"EVAL", "return {tostring(1/0), tostring(0/0) ~= nil, math.floor(-3.5), string.format('%5.2f|%d|%s', 3.14159, 42, 'x')}", "0"},
	{"EVAL", "return {3.7, -3.7, 2^53, -0.0}", "0"},
	{"EVAL", "return {1, 2, nil, 4}", "0"},
	{"EVAL", "return {ok='STATUS'}", "0"},
	{"EVAL", "redis.setresp(3); return redis.call('debug', 'protocol', 'double')", "0"},
	{"EVAL", "redis.setresp(3); return {double=3.5}", "0"},
	{"EVAL", "return redis.sha1hex('')", "0"},
	{"EVAL", "redis.call('rpush','l','a','b'); return redis.call('lrange','l',0,-1)", "0"},
	{"EVAL", "redis.call('hset','h','f','v'); return redis.call('hgetall','h')", "0"},
	{"EVAL", "return redis.call('select','5')", "0"},
	{"EVAL", "redis.call('select','5'); redis.call('set','indb5','1'); return redis.call('dbsize')", "0"},
	{"DBSIZE"},
	{"EVAL", "return redis.setresp(3) or redis.call('hgetall','h')", "0"},
	{"EVAL", "redis.setresp(3); return redis.call('hgetall','h')", "0"},
	{"EVAL", "return 1", "-1"},
	{"EVAL", "return 1", "2", "a"},
	{"EVAL", "return 1", "x"},
	{"EVAL", "return (", "0"},
	{"EVAL", "#!lua flags=no-writes\nreturn redis.call('set','x','y')", "0"},
	{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','sk')", "0"},
	{"EVAL", "#!lua flags=bogus\nreturn 1", "0"},
	{"EVAL", "#!nolua\nreturn 1", "0"},
	{"EVAL_RO", "return redis.call('set','x','y')", "0"},
	{"EVAL_RO", "return redis.call('get','sk')", "0"},
	{"EVAL_RO", "#!lua\nreturn 1", "0"},
	{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
	{"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"},
	{"EVALSHA", "abc", "0"},
	{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
	{"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
	{"SCRIPT", "LOAD", "return 'loaded'"},
	{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffffffffffffffffffffffffffffffffffffffff"},
	{"SCRIPT", "LOAD", "return ("},
	{"SCRIPT", "KILL"},
	{"SCRIPT", "FLUSH", "BOGUS"},
	{"SCRIPT", "HELP"},
	{"SCRIPT", "NOPE"},
	{"EVAL", "return redis.sha1hex('')", "0"},
	{"EVAL", "return {1,2,3,'ciao',{1,2}}", "0"},
	{"EVAL", "return redis.call('ping')", "0"},
}

var functionCorpus = [][]string{
	{"FUNCTION", "FLUSH"},
	// Redis lists libraries and functions in dict order: one function per
	// library, one library per FUNCTION LIST reply.
	{"FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)"},
	{"FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function{function_name='f2', callback=function() return redis.call('set','fk','1') end, flags={'no-writes'}, description='desc'}"},
	{"FUNCTION", "LOAD", "REPLACE", "#!lua name=lib3\nredis.register_function{function_name='f2', callback=function() return redis.call('set','fk','1') end, flags={'no-writes', 'allow-stale'}, description='desc'}"},
	{"FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f3', function() return 1 end)"},
	{"FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"},
	{"FUNCTION", "LOAD", "#!lua name=lib2\nreturn 1"},
	{"FUNCTION", "LOAD", "#!lua\nreturn 1"},
	{"FUNCTION", "LOAD", "nope"},
	{"FUNCTION", "LOAD", "BOGUS", "x"},
	{"FCALL", "f1", "1", "k", "a"},
	{"FCALL", "F1", "1", "k", "a"},
	{"FCALL", "f2", "0"},
	{"FCALL_RO", "f2", "0"},
	{"FCALL_RO", "f1", "0"},
	{"FCALL", "nofunc", "0"},
	{"FCALL", "f1", "x"},
	{"FCALL", "f1", "5", "a"},
	{"FCALL", "f1", "-1"},
	{"FUNCTION", "LIST", "LIBRARYNAME", "lib1"},
	{"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "*3"},
	{"FUNCTION", "LIST", "LIBRARYNAME", "LIB3", "WITHCODE"},
	{"FUNCTION", "LIST", "LIBRARYNAME", "zz*"},
	{"FUNCTION", "LIST", "LIBRARYNAME"},
	{"FUNCTION", "LIST", "BOGUS"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "KILL"},
	{"FUNCTION", "DELETE", "nolib"},
	{"FUNCTION", "DELETE", "lib1"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "FLUSH", "BOGUS"},
	{"FUNCTION", "FLUSH", "a", "b"},
	{"FUNCTION", "FLUSH", "ASYNC"},
	{"FUNCTION", "HELP"},
}

func TestDiffScripting(t *testing.T) {
	h := Start(t)
	h.Do(t, "FLUSHALL")
	h.Do(t, "SCRIPT", "FLUSH")
	for _, proto := range []string{"2", "3"} {
		h.Both(t, "HELLO", proto)
		h.Do(t, "FLUSHALL")
		for _, cmd := range scriptCorpus {
			h.Do(t, cmd...)
		}
		h.Do(t, "SELECT", "0")
	}
}

func TestDiffFunctions(t *testing.T) {
	h := Start(t)
	h.Do(t, "FLUSHALL")
	for _, proto := range []string{"2", "3"} {
		h.Both(t, "HELLO", proto)
		for _, cmd := range functionCorpus {
			h.Do(t, cmd...)
		}
	}
}
