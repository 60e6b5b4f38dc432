#!/usr/bin/env python3
# Attributes a perf profile of `insights serve` (Benchmarks/host-cpu.sh with PERF=1) to parts of the pipeline:
#   perf script -i RUN/perf.data -F comm,tid,time,ip,sym,dso > RUN/script.txt && Benchmarks/perf-owners.py RUN/script.txt
# "owner": the recognisable frame nearest the leaf (so the JSON the Table SDK writes counts as the Table SDK, the
# SQLite the bus calls as SQLite); "inclusive": anywhere on the stack (async continuations make roots unreliable).
import sys, re, collections

owners = [
 ('logging', re.compile(r'Microsoft\.Extensions\.Logging|LoggerMessage|\.Log[A-Z]\w*\(')),
 ('table-sdk', re.compile(r'\[Azure\.Data\.Tables\]|\[Azure\.Core\]|Azure\.Data\.Tables|Azure\.Core\.')),
 ('blob-sdk', re.compile(r'Azure\.Storage')),
 ('http-client', re.compile(r'\[System\.Net\.Http\]')),
 ('sqlite', re.compile(r'Sqlite|SQLitePCL|libe_sqlite3')),
 ('ours:Storage', re.compile(r'InsightsFunctions\.Storage\.')),
 ('ours:Stitching', re.compile(r'InsightsFunctions\.Stitching\.')),
 ('ours:Agents', re.compile(r'InsightsFunctions\.Agents\.')),
 ('ours:Realtime', re.compile(r'InsightsFunctions\.Realtime\.')),
 ('ours:Consumer', re.compile(r'InsightsFunctions\.Consumer\.')),
 ('ours:EventBus', re.compile(r'InsightsFunctions\.EventBus\.')),
 ('ours:Ingest', re.compile(r'InsightsFunctions\.(Ingest|Hipaa|Events)\.')),
 ('ours:other', re.compile(r'InsightsFunctions\.')),
 ('kestrel/aspnet', re.compile(r'Microsoft\.AspNetCore')),
 ('sockets', re.compile(r'System\.Net\.Sockets|SocketAsyncEngine')),
 ('threadpool', re.compile(r'ThreadPoolWorkQueue|LowLevelLifoSemaphore|PortableThreadPool|WorkerThread|Threading\.TimerQueue')),
]
inclusive_pat = {k:v for k,v in owners}
samples=[]; cur=None
for line in open(sys.argv[1], errors='replace'):
    if not line.startswith('\t') and line.strip():
        if cur: samples.append(cur)
        cur={'comm': line[:16].strip(), 'frames':[]}
    elif line.strip() and cur is not None:
        cur['frames'].append(line.strip())
if cur: samples.append(cur)
n=len(samples)
own=collections.Counter(); incl=collections.Counter(); leafdso=collections.Counter()
for s in samples:
    fr=s['frames']
    if s['comm'].startswith('.NET Tiered'): own['JIT (tiered compilation thread)']+=1; continue
    if s['comm'].startswith('.NET BGC') or s['comm'].startswith('.NET Server GC'): own['GC thread']+=1; continue
    leaf=fr[0] if fr else ''
    m=re.search(r'\(([^)]*)\)\s*$', leaf); leafdso[m.group(1).split('/')[-1] if m else '?']+=1
    o=None
    for f in fr:
        for k,p in owners:
            if p.search(f): o=k; break
        if o: break
    if o is None:
        o='unattributed:'+(m.group(1).split('/')[-1] if m else '?')
    own[o]+=1
    seen=set()
    for f in fr:
        for k,p in owners:
            if k not in seen and p.search(f): seen.add(k)
    for k in seen: incl[k]+=1
print(f"samples {n}")
print("== owner (nearest recognizable frame from the leaf) ==")
for k,v in own.most_common(): print(f"  {k:40s} {100*v/n:5.1f}%")
print("== inclusive (anywhere on the stack) ==")
for k,v in incl.most_common(): print(f"  {k:40s} {100*v/n:5.1f}%")
print("== leaf dso ==")
for k,v in leafdso.most_common(10): print(f"  {k:40s} {100*v/n:5.1f}%")
print("== kernel samples by system call (fsync: the bus's SQLite commits; sched_yield: spinning threads) ==")
calls = collections.Counter()
for s in samples:
    fr = s['frames']
    if not fr or 'kallsyms' not in fr[0]:
        continue
    call = next((m.group(1) for f in fr for m in [re.search(r'\s(__x64_sys_\w+|__sys_\w+|asm_exc_page_fault)', f)] if m), 'other')
    calls[call] += 1
for k, v in calls.most_common(8): print(f"  {k:40s} {100*v/n:5.1f}%")
