using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;
using InsightsFunctions.Exports;
using Microsoft.Extensions.Logging;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Loads;

/// <summary>
/// The 15-minute historical load (rules.md §6, datasets.md Exports). One run, under the load lock:
/// <list type="number">
/// <item>reads which partitions changed since the previous load (<see cref="IDatasetChangeLog"/>);</item>
/// <item>recomputes the intervals of the reporting dates those changes touch (and of dates whose intervals
/// were still open), streaming the day's segments and activities page by page into the builders' tallies;</item>
/// <item>then, for every 15-minute window from the watermark up to <c>until</c>, in order: stores the intervals
/// that closed in it (new ones, and older ones a change re-opened within the late-event grace), exports every
/// partition that changed, complete, as Parquet and CSV (Conversations and Segments one hour of a date at a time,
/// from <see cref="LoadState.HourFilesFrom"/> on: a window rewrites the hours its changes touched, not the day),
/// writes the window's manifest last, and only then moves the watermark to the window's end;</item>
/// <item>clears the change marks it exported (a partition marked again meanwhile stays marked).</item>
/// </list>
/// A run that dies part-way leaves the watermark at the last finished window and the marks in place, so the
/// next run redoes the rest whole. Nothing here depends on the wall clock but the default <c>until</c>, so the
/// same data and window give the same bytes.
/// </summary>
public sealed class LoadJob(
    ILoadLock loadLock,
    IDatasetChangeLog changeLog,
    ILoadSource source,
    IIntervalStore intervalStore,
    IExportSink sink,
    IntervalGrid grid,
    QueueIntervalBuilder queueBuilder,
    AgentIntervalBuilder agentBuilder,
    RtaIntervalBuilder rtaBuilder,
    LateEventGrace grace,
    TimeProvider clock,
    ILogger<LoadJob> logger)
{
    /// <summary>Rows per page written to the interval tables' exports (one Parquet row group each).</summary>
    public const int PageSize = 1000;

    private readonly DatasetExporter _exporter = new(sink, grid.Zone);

    public async Task<LoadRunResult> RunAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var end = Floor(until is { } u && u < now ? u : now);
        await using var held = await loadLock.TryAcquireAsync(cancellationToken);
        if (held is null)
        {
            logger.LogInformation("Another load holds the lock; this run does nothing.");
            return new LoadRunResult { Outcome = LoadOutcome.Busy, Message = "another load is running" };
        }
        var state = held.State;
        var marks = await changeLog.ReadAsync(cancellationToken);
        if (marks.Count == 0 && state.CompleteUpTo is { } loadedUpTo && loadedUpTo + IntervalGrid.Length > end)
        {
            // No new window and nothing changed: decided before any interval is recomputed.
            return new LoadRunResult { Outcome = LoadOutcome.NothingToDo, CompleteUpTo = loadedUpTo, Message = $"nothing to do: loaded up to {Iso(loadedUpTo)} and nothing changed since" };
        }
        // Conversations and Segments are exported per hour from this date on (see LoadState.HourFilesFrom).
        var hourFilesFrom = state.HourFilesFrom ?? FirstDateOfHourFiles(state, marks, end);
        var conversationDates = DatesOf(marks, LoadDatasets.Conversations);
        var activityDates = DatesOf(marks, LoadDatasets.Activities);

        // Which interval dates to recompute: a conversation's segments count on its date and the next (a call
        // over midnight), and so do activities; dates whose intervals were not all closed at the last run too.
        var segmentIntervalDates = Expand(conversationDates.Keys).Union(state.PendingSegmentDates).ToHashSet(StringComparer.Ordinal);
        var activityIntervalDates = Expand(activityDates.Keys).Union(state.PendingActivityDates).ToHashSet(StringComparer.Ordinal);
        // The real-time snapshots of a date need both its segments and its activities.
        var rtaIntervalDates = segmentIntervalDates.Union(activityIntervalDates).ToHashSet(StringComparer.Ordinal);
        // On dates with hour files (exported one local hour of interval starts at a time), a load after the first recomputes,
        // reads back and rewrites only the intervals it can still change: those from the local hour of the earliest interval
        // that is new (after the watermark) or re-opened by a change within the grace.
        var changeableFrom = ChangeableFrom(state.CompleteUpTo, marks);
        var computed = await ComputeIntervalsAsync(segmentIntervalDates, activityIntervalDates, rtaIntervalDates, end,
            new Window(changeableFrom, state.Carried, hourFilesFrom, marks), cancellationToken);

        var start = state.CompleteUpTo ?? computed.EarliestStart ?? (marks.Count > 0 ? end - IntervalGrid.Length : null);
        if (start is null || (state.CompleteUpTo is null && start >= end))
        {
            return new LoadRunResult
            {
                Outcome = LoadOutcome.NothingToDo,
                CompleteUpTo = state.CompleteUpTo,
                Message = marks.Count == 0 ? "nothing to do: no events received yet" : "nothing to do: no window with events has closed yet",
            };
        }
        var windows = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        for (var w = start.Value; w + IntervalGrid.Length <= end; w += IntervalGrid.Length)
        {
            windows.Add((w, w + IntervalGrid.Length));
        }
        var refresh = windows.Count == 0; // only with a watermark and changes (both absent returned above)
        if (refresh)
        {
            windows.Add((start.Value - IntervalGrid.Length, start.Value)); // the last loaded window again, with what changed since
        }

        var partitions = new List<IntervalPartition>();
        foreach (var (dataset, dates, marksOf) in new[]
        {
            (LoadDatasets.QueueIntervals, segmentIntervalDates, conversationDates),
            (LoadDatasets.AgentIntervals, segmentIntervalDates, conversationDates),
            (LoadDatasets.AgentActivityIntervals, activityIntervalDates, activityDates),
            (LoadDatasets.RtaIntervals, rtaIntervalDates, Latest(conversationDates, activityDates)),
        })
        {
            foreach (var date in dates.Order(StringComparer.Ordinal))
            {
                var reference = new[] { date, ReportingDate.Shift(date, -1) }.Select(d => marksOf.GetValueOrDefault(d)).Max();
                var changedAt = reference == default ? (DateTimeOffset?)null : reference;
                var byHour = string.CompareOrdinal(date, hourFilesFrom) >= 0;
                var from = byHour ? changeableFrom : null; // a date of whole-day files is read and rewritten whole
                var stored = from is { } since ? await intervalStore.ReadSinceAsync(dataset, date, since, cancellationToken) : await intervalStore.ReadDateAsync(dataset, date, cancellationToken);
                // The recomputed rows start where the stored ones read here start (ComputeIntervalsAsync makes none earlier).
                partitions.Add(new IntervalPartition(dataset, date, stored, computed.Rows(dataset, date), changedAt, byHour ? grid : null));
            }
        }

        var loaded = new List<LoadManifest>();
        var threshold = state.CompleteUpTo;
        var pendingSoFar = new LoadState
        {
            HourFilesFrom = hourFilesFrom,
            PendingSegmentDates = [.. state.PendingSegmentDates.Union(segmentIntervalDates).Order(StringComparer.Ordinal)],
            PendingActivityDates = [.. state.PendingActivityDates.Union(activityIntervalDates).Order(StringComparer.Ordinal)],
        };
        for (var i = 0; i < windows.Count; i++)
        {
            var (windowStart, windowEnd) = windows[i];
            var files = new List<ManifestFile>();
            if (i == 0)
            {
                files.AddRange(await ExportSourcesAsync(marks, hourFilesFrom, computed.HourFiles, cancellationToken));
            }
            var changed = new List<(IntervalPartition Partition, IntervalChange Change)>();
            foreach (var partition in partitions)
            {
                var change = partition.Advance(windowEnd, threshold, grace, windowEnd.UtcDateTime);
                if (change.Upserts.Count == 0 && change.Deletes.Count == 0)
                {
                    continue;
                }
                changed.Add((partition, change));
                // The files and the manifest first, from the rows in memory, then the rows: a run that dies before the rows are
                // stored leaves them behind the files, so the next run finds them changed again and writes their files and its
                // manifest again. The other way round, an hour file or a manifest that failed after its rows were stored would
                // never be written (the rows then compare equal).
                foreach (var hour in partition.ByHour ? partition.HoursOf(change).Select(h => (int?)h) : [null])
                {
                    files.AddRange(await ExportAsync(partition.Dataset, partition.Date, hour, ExportSchemas.Of(partition.Dataset), Pages(partition.Rows(windowEnd, hour)), cancellationToken));
                }
            }
            var manifest = new LoadManifest
            {
                LoadId = LoadManifest.IdFor(windowEnd),
                WindowStart = windowStart,
                WindowEnd = windowEnd,
                CompleteUpTo = windowEnd,
                SchemaVersion = ExportSchemas.SchemaVersion,
                Files = [.. files.OrderBy(f => f.Dataset, StringComparer.Ordinal).ThenBy(f => f.Date, StringComparer.Ordinal).ThenBy(f => f.Hour).ThenBy(f => f.Path, StringComparer.Ordinal)],
            };
            await WriteManifestAsync(manifest, cancellationToken);
            foreach (var (partition, change) in changed)
            {
                await intervalStore.SaveAsync(partition.Dataset, partition.Date, change.Upserts, change.Deletes, cancellationToken);
            }
            if (!refresh)
            {
                await held.SaveAsync(pendingSoFar with { CompleteUpTo = windowEnd }, cancellationToken);
            }
            loaded.Add(manifest);
            logger.LogDebug("Load window {WindowStart} - {WindowEnd}: {Files} files.", Iso(windowStart), Iso(windowEnd), manifest.Files.Count);
        }

        var completeUpTo = refresh ? state.CompleteUpTo : windows[^1].End;
        await held.SaveAsync(new LoadState
        {
            HourFilesFrom = hourFilesFrom,
            Carried = computed.Carried,
            CompleteUpTo = completeUpTo,
            PendingSegmentDates = [.. computed.PendingSegmentDates(end).Order(StringComparer.Ordinal)],
            PendingActivityDates = [.. computed.PendingActivityDates(end, grid).Order(StringComparer.Ordinal)],
        }, cancellationToken);
        await changeLog.ClearAsync(marks, cancellationToken);
        return new LoadRunResult
        {
            Outcome = refresh ? LoadOutcome.Refreshed : LoadOutcome.Loaded,
            Windows = loaded,
            CompleteUpTo = completeUpTo,
            Message = refresh
                ? $"no new window; rewrote {loaded.Sum(l => l.Files.Count)} files changed since the load of {Iso(windows[0].End)}"
                : $"loaded {loaded.Count} window(s) {Iso(windows[0].Start)} - {Iso(windows[^1].End)}, {loaded.Sum(l => l.Files.Count)} files",
        };
    }

    /// <summary>
    /// Every marked partition of the consumers' datasets, rewritten complete: for Conversations and Segments, each marked hour of
    /// a date from <paramref name="hourFilesFrom"/> on (a date mark without an hour there rewrites all 24), else the whole date.
    /// </summary>
    /// <remarks>
    /// The files of the hours in <paramref name="hourFiles"/> were written while the recomputation read those hours
    /// (<see cref="ComputeIntervalsAsync"/>); they are taken as they are, not read and written again.
    /// </remarks>
    private async Task<List<ManifestFile>> ExportSourcesAsync(IReadOnlyList<DatasetChange> marks, string hourFilesFrom,
        IReadOnlyDictionary<(string Date, int Hour), List<ManifestFile>> hourFiles, CancellationToken cancellationToken)
    {
        var files = new List<ManifestFile>();
        foreach (var date in marks.Where(m => m.Dataset == LoadDatasets.Conversations && m.Date is not null).Select(m => m.Date!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (string.CompareOrdinal(date, hourFilesFrom) < 0)
            {
                files.AddRange(await ExportConversationDateAsync(date, cancellationToken));
                continue;
            }
            var ofDate = marks.Where(m => m.Dataset == LoadDatasets.Conversations && m.Date == date).ToList();
            var hours = ofDate.Any(m => m.Hour is null) ? Enumerable.Range(0, 24) : ofDate.Select(m => m.Hour!.Value).Distinct().Order();
            foreach (var hour in hours)
            {
                files.AddRange(hourFiles.GetValueOrDefault((date, hour)) ?? await ExportConversationHourAsync(date, hour, null, cancellationToken));
            }
        }
        foreach (var mark in marks.Where(m => m.Dataset != LoadDatasets.Conversations).DistinctBy(m => (m.Dataset, m.Date)).OrderBy(m => m.Dataset, StringComparer.Ordinal).ThenBy(m => m.Date, StringComparer.Ordinal))
        {
            switch (mark.Dataset)
            {
                case LoadDatasets.Activities or LoadDatasets.Agents or LoadDatasets.Customers:
                    files.AddRange(await ExportAsync(mark.Dataset, mark.Date, ExportSchemas.Of(mark.Dataset), source.ReadAsync(mark.Dataset, mark.Date, cancellationToken), cancellationToken));
                    break;
                default:
                    logger.LogWarning("Ignoring a change mark of unknown dataset {Dataset}.", mark.Dataset);
                    break;
            }
        }
        return files;
    }

    /// <summary>A whole date's Conversations and Segments files (dates before hour files).</summary>
    private async Task<List<ManifestFile>> ExportConversationDateAsync(string date, CancellationToken cancellationToken)
    {
        // The custom conversations.* columns of the partition are known only after a first pass; a day is not held in memory.
        var custom = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in source.ReadAsync(LoadDatasets.Conversations, date, cancellationToken))
        {
            custom.UnionWith(ExportSchemas.CustomAttributesOf(page));
        }
        return
        [
            .. await ExportAsync(LoadDatasets.Conversations, date, ExportSchemas.Conversations(custom), source.ReadAsync(LoadDatasets.Conversations, date, cancellationToken), cancellationToken),
            .. await ExportAsync(LoadDatasets.Segments, date, ExportSchemas.Of(SegmentsDataset.Definition), source.ReadAsync(LoadDatasets.Segments, date, cancellationToken), cancellationToken),
        ];
    }

    /// <summary>
    /// One hour's Conversations and Segments files: the conversations that started in it, read once (an hour fits in memory), then
    /// their segments (the consumer writes a conversation's segments before its row, so the segments read after the rows have
    /// every segment of every row); each page of segments is also handed to <paramref name="segmentsAlso"/> (the recomputation).
    /// </summary>
    private async Task<List<ManifestFile>> ExportConversationHourAsync(string date, int hour, Action<IReadOnlyList<IReadOnlyDictionary<string, object?>>>? segmentsAlso,
        CancellationToken cancellationToken)
    {
        var pages = new List<IReadOnlyList<IReadOnlyDictionary<string, object?>>>();
        await foreach (var page in source.ReadHourAsync(LoadDatasets.Conversations, date, hour, cancellationToken))
        {
            pages.Add(page);
        }
        var conversations = await WriteAsync(LoadDatasets.Conversations, ExportSchemas.Conversations(pages.SelectMany(ExportSchemas.CustomAttributesOf)), Pages(pages.SelectMany(p => p)));
        var segmentPages = source.ReadHourAsync(LoadDatasets.Segments, date, hour, cancellationToken);
        var segments = await WriteAsync(LoadDatasets.Segments, ExportSchemas.Of(SegmentsDataset.Definition), segmentsAlso is null ? segmentPages : Tee(segmentPages, segmentsAlso, cancellationToken));
        return [.. conversations, .. segments];

        Task<ManifestFile[]> WriteAsync(string dataset, IReadOnlyList<ExportColumn> columns, IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> rows) =>
            ExportAsync(dataset, date, hour, columns, rows, cancellationToken);
    }

    private Task<ManifestFile[]> ExportAsync(string dataset, string? date, IReadOnlyList<ExportColumn> columns,
        IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken) =>
        ExportAsync(dataset, date, null, columns, pages, cancellationToken);

    /// <summary>A partition's Parquet and CSV files: a snapshot, a whole date, or one hour of a date (<paramref name="hour"/>).</summary>
    private async Task<ManifestFile[]> ExportAsync(string dataset, string? date, int? hour, IReadOnlyList<ExportColumn> columns,
        IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages, CancellationToken cancellationToken)
    {
        string PathOf(string extension) => hour is { } h ? LoadDatasets.PathOf(dataset, date!, h, extension) : LoadDatasets.PathOf(dataset, date, extension);
        var written = await _exporter.ExportAsync(PathOf("parquet"), PathOf("csv"), columns, pages, cancellationToken);
        return
        [
            new ManifestFile(dataset, date, written.ParquetPath, written.Rows, written.ParquetBytes, hour),
            new ManifestFile(dataset, date, written.CsvPath, written.Rows, written.CsvBytes, hour),
        ];
    }

    /// <summary>
    /// Decided once, by the first load of a version with hour files: every date on a new deployment; else the day after the
    /// latest date an older version may have written rows of (<c>{date}_{bucket}</c>, which an hour's read does not see): the
    /// date of this load, when an older version has loaded before, and every date an older version's mark (a whole-date
    /// Conversations mark) names, as when its consumer ran without loads.
    /// </summary>
    private string FirstDateOfHourFiles(LoadState state, IReadOnlyList<DatasetChange> marks, DateTimeOffset end)
    {
        var older = marks.Where(m => m.Dataset == LoadDatasets.Conversations && m.Hour is null && m.Date is not null).Select(m => m.Date!);
        if (state.CompleteUpTo is not null)
        {
            older = older.Append(grid.IntervalOf(end).Date);
        }
        return older.Order(StringComparer.Ordinal).LastOrDefault() is { } latest ? ReportingDate.Shift(latest, 1) : "";
    }

    /// <summary>
    /// The start of the local hour before which no stored interval can change in this run (null on a first load: everything
    /// can). An interval changes when it is new (it ends after the watermark) or when a change received within the grace after
    /// its end re-opens it; the earliest such end is the watermark or the earliest mark's time less the grace. One more interval
    /// for the boundary, then back to the start of its local hour, so every hour file a run rewrites is read back whole.
    /// </summary>
    private DateTimeOffset? ChangeableFrom(DateTimeOffset? watermark, IReadOnlyList<DatasetChange> marks)
    {
        if (watermark is not { } earliest)
        {
            return null;
        }
        foreach (var mark in marks.Where(m => m.Dataset is LoadDatasets.Conversations or LoadDatasets.Activities))
        {
            if (mark.ChangedAt < watermark.Value.AddDays(-2))
            {
                return null; // a mark days older than the watermark (or with no time at all): read its dates whole
            }
            earliest = mark.ChangedAt - grace.Length < earliest ? mark.ChangedAt - grace.Length : earliest;
        }
        return HourBefore(earliest);
    }

    /// <summary>The start of the local hour of the interval two before the one ending at <paramref name="earliest"/>: every interval that can end after it, in whole hours.</summary>
    private DateTimeOffset HourBefore(DateTimeOffset earliest)
    {
        var interval = grid.IntervalOf(earliest - 2 * IntervalGrid.Length);
        while (grid.At(interval.Start - IntervalGrid.Length) is var previous && previous.Date == interval.Date && previous.LocalStart.Hour == interval.LocalStart.Hour)
        {
            interval = previous;
        }
        return interval.Start;
    }

    private async Task WriteManifestAsync(LoadManifest manifest, CancellationToken cancellationToken)
    {
        await using var file = await sink.CreateAsync(LoadManifest.PathFor(manifest.WindowEnd), cancellationToken);
        await file.Content.WriteAsync(manifest.ToJson(), cancellationToken);
        await file.CommitAsync(cancellationToken);
    }

    /// <summary>What a run may recompute from: where its changeable intervals start, what the last run carried, the marks.</summary>
    private sealed record Window(DateTimeOffset? ChangeableFrom, IntervalCheckpoint? Carried, string HourFilesFrom, IReadOnlyList<DatasetChange> Marks);

    /// <summary>
    /// The intervals of the given dates, from their segments and activities streamed page by page. When the last run carried a
    /// checkpoint and every date read has hour partitions, the segments are those of the hours from the one before the earliest
    /// changeable interval up to now, of the marked hours, and of the long conversations the last run carried: every conversation
    /// that overlaps a changeable interval, without the rest of two days. Else (a first run, an upgrade, a run after one that
    /// died) every segment of the dates and the day before, as before hour files.
    /// </summary>
    private async Task<ComputedIntervals> ComputeIntervalsAsync(HashSet<string> segmentDates, HashSet<string> activityDates, HashSet<string> rtaDates, DateTimeOffset end,
        Window window, CancellationToken cancellationToken)
    {
        var queues = queueBuilder.Start();
        var agents = agentBuilder.Start();
        var rta = rtaBuilder.Start(end);
        var segmentReadDates = segmentDates.Union(rtaDates).SelectMany(d => new[] { ReportingDate.Shift(d, -1), d }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var fromDate = segmentReadDates.FirstOrDefault();
        var conversations = new Dictionary<ConversationPlace, (DateTimeOffset? Ended, bool Open)>();
        var hourFiles = new Dictionary<(string Date, int Hour), List<ManifestFile>>();
        void Feed(IReadOnlyList<IReadOnlyDictionary<string, object?>> page, string date, HashSet<(string, string)>? only)
        {
            foreach (var row in page)
            {
                var segment = SegmentsDataset.Definition.Read(row);
                if (only is not null && !only.Contains((segment.AccountSid, segment.ConversationId)))
                {
                    continue; // an escaped id with '_' can share a RowKey range
                }
                queues.Add(segment);
                agents.Add(segment);
                var rowHour = row.GetValueOrDefault(ILoadSource.HourColumn) as int?;
                rta.Add(segment, date, RtaIntervalBuilder.Tallies.Source(date, rowHour), countOutcome: only is null);
                if (rowHour is { } hour)
                {
                    var place = new ConversationPlace(date, hour, segment.AccountSid, segment.ConversationId);
                    var (ended, open) = conversations.GetValueOrDefault(place);
                    conversations[place] = (segment.EndedAt is { } e && (ended is null || e > ended) ? e : ended, open || segment.EndedAt is null);
                }
            }
        }
        var incremental = window is { ChangeableFrom: not null, Carried: not null } && fromDate is not null
            && string.CompareOrdinal(fromDate, window.HourFilesFrom) >= 0
            && !window.Marks.Any(m => m.Dataset == LoadDatasets.Conversations && m.Hour is null);
        if (incremental)
        {
            var from = window.ChangeableFrom!.Value;
            // A marked hour is exported by this run anyway (ExportSourcesAsync): its files are written here, the Segments from the
            // pages the recomputation reads, so the hour's segments are read once, not twice.
            var marked = window.Marks.Where(m => m.Dataset == LoadDatasets.Conversations && m.Hour is not null && m.Date is not null).Select(m => (m.Date!, m.Hour!.Value)).ToHashSet();
            var hours = HoursOf(from - TimeSpan.FromHours(1), end)
                .Concat(marked)
                .Where(h => string.CompareOrdinal(h.Item1, fromDate) >= 0)
                .ToHashSet();
            rta.Seed(window.Carried!.Rta, fromDate!, hours.Select(h => RtaIntervalBuilder.Tallies.Source(h.Item1, h.Item2)).ToHashSet(StringComparer.Ordinal));
            foreach (var (date, hour) in hours.OrderBy(h => h.Item1, StringComparer.Ordinal).ThenBy(h => h.Item2))
            {
                if (marked.Contains((date, hour)))
                {
                    hourFiles[(date, hour)] = await ExportConversationHourAsync(date, hour, page => Feed(page, date, null), cancellationToken);
                    continue;
                }
                await foreach (var page in source.ReadHourAsync(LoadDatasets.Segments, date, hour, cancellationToken))
                {
                    Feed(page, date, null);
                }
            }
            var carriedByHour = window.Carried.Long.Select(l => l.Place)
                .Where(p => string.CompareOrdinal(p.Date, fromDate) >= 0 && !hours.Contains((p.Date, p.Hour)))
                .GroupBy(p => (p.Date, p.Hour)).OrderBy(g => g.Key.Date, StringComparer.Ordinal).ThenBy(g => g.Key.Hour);
            foreach (var hour in carriedByHour)
            {
                var places = hour.Distinct().ToList();
                var only = places.Select(p => (p.AccountSid, p.ConversationId)).ToHashSet();
                await foreach (var page in source.ReadConversationSegmentsAsync(places, cancellationToken))
                {
                    Feed(page, hour.Key.Date, only);
                }
            }
        }
        else
        {
            foreach (var date in segmentReadDates)
            {
                await foreach (var page in source.ReadAsync(LoadDatasets.Segments, date, cancellationToken))
                {
                    Feed(page, date, null);
                }
            }
        }
        var activities = agentBuilder.StartActivities(end);
        var openActivities = new List<ActivityInterval>();
        void FeedActivity(ActivityInterval activity)
        {
            if (activity.EndedAt is null)
            {
                openActivities.Add(activity);
            }
            activities.Add(activity);
            rta.Add(activity);
        }
        var activityReadDates = activityDates.Union(rtaDates).SelectMany(d => new[] { ReportingDate.Shift(d, -1), d }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var activitiesReadAt = clock.GetUtcNow();
        if (incremental && window.Carried!.ActivitiesReadAt is { } lastRead)
        {
            // Only what can count in an interval this run stores: the rows that ended from its earliest changeable interval on or
            // were written since the run that carried the checkpoint began reading (less a margin for the clocks of the load and
            // the store), and the activities that run saw open and their agents' states still name (an open row written before
            // that run is not written again until it closes, and then it is read here).
            //
            // The agents' states first, then the rows: the consumer writes an agent's rows (the closed one, the new open one) before
            // it moves the agent's state, so an open activity whose state moved on before this check has its replacement rows
            // written already, and the read below sees them. (Checked after the read, a move in between would lose the agent's
            // activity: the replacement unread, the carried one dropped.)
            var carriedOpen = window.Carried.OpenActivities.Where(a => activityReadDates.Contains(a.Date, StringComparer.Ordinal)).ToList();
            var stillOpen = await source.StillOpenAsync([.. carriedOpen.Select(PlaceOf)], cancellationToken);
            var seen = new HashSet<ActivityPlace>();
            foreach (var date in activityReadDates)
            {
                await foreach (var page in source.ReadActivitiesChangedAsync(date, window.ChangeableFrom!.Value, lastRead - ClockMargin, cancellationToken))
                {
                    foreach (var activity in page.Select(ActivitiesDataset.Definition.Read))
                    {
                        seen.Add(PlaceOf(activity));
                        FeedActivity(activity);
                    }
                }
            }
            foreach (var activity in carriedOpen.Where(a => stillOpen.Contains(PlaceOf(a)) && !seen.Contains(PlaceOf(a))))
            {
                FeedActivity(activity);
            }
        }
        else
        {
            foreach (var date in activityReadDates)
            {
                await foreach (var page in source.ReadRecordsAsync(ActivitiesDataset.Definition, date, cancellationToken))
                {
                    foreach (var activity in page)
                    {
                        FeedActivity(activity);
                    }
                }
            }
        }
        var openActivity = openActivities.Count > 0;
        var result = new ComputedIntervals(openActivity) { HourFiles = hourFiles };
        // Only the rows the run can store: on a date of hour files, none before the earliest changeable interval (RunAsync
        // compares no earlier one), so those are not made into rows at all.
        bool Kept(ReportingInterval interval) =>
            window.ChangeableFrom is not { } from || string.CompareOrdinal(interval.Date, window.HourFilesFrom) < 0 || interval.Start >= from;
        result.Add(LoadDatasets.QueueIntervals, queues.Rows().Where(q => segmentDates.Contains(q.Interval.Date) && Kept(q.Interval)).Select(q => (q.Interval, QueueIntervalsDataset.Definition.ToRow(q))));
        result.Add(LoadDatasets.AgentIntervals, agents.Rows().Where(a => segmentDates.Contains(a.Interval.Date) && Kept(a.Interval)).Select(a => (a.Interval, AgentIntervalsDataset.Definition.ToRow(a))));
        result.Add(LoadDatasets.AgentActivityIntervals, activities.Rows().Where(a => activityDates.Contains(a.Interval.Date) && Kept(a.Interval)).Select(a => (a.Interval, AgentActivityIntervalsDataset.Definition.ToRow(a))));
        result.Add(LoadDatasets.RtaIntervals, rta.Rows(rtaDates).Where(r => Kept(r.Interval)).Select(r => (r.Interval, RtaIntervalsDataset.Definition.ToRow(r))));
        // For the next run: the RTA figures from yesterday on, and the conversations that may outlast the hours it reads (open,
        // or ended an hour or more after their hour began) unless they ended before anything it or a later run can change: a
        // later run's earliest changeable interval is no earlier than this one's, nor than one a mark received now re-opens
        // (a quiet run, with no mark, starts later than the next one with a mark). An interval more for clock skew.
        var nextFrom = HourBefore(end - grace.Length);
        var keepEndedFrom = (window.ChangeableFrom is { } now && now < nextFrom ? now : nextFrom) - TimeSpan.FromHours(1) - IntervalGrid.Length;
        result.Carried = new IntervalCheckpoint
        {
            Rta = rta.Checkpoint(ReportingDate.Shift(grid.IntervalOf(end).Date, -1)),
            ActivitiesReadAt = activitiesReadAt,
            OpenActivities = [.. openActivities.OrderBy(a => a.Date, StringComparer.Ordinal).ThenBy(a => a.AccountSid, StringComparer.Ordinal).ThenBy(a => a.AgentSid, StringComparer.Ordinal).ThenBy(a => a.StartedAt)],
            Long = [.. conversations
                .Where(c => c.Value.Open || (c.Value.Ended is { } ended && ended >= LocalHourStart(c.Key.Date, c.Key.Hour) + TimeSpan.FromHours(1) && ended >= keepEndedFrom))
                .Select(c => new LongConversation(c.Key, c.Value.Open ? null : c.Value.Ended))
                .OrderBy(l => l.Place.Date, StringComparer.Ordinal).ThenBy(l => l.Place.Hour).ThenBy(l => l.Place.AccountSid, StringComparer.Ordinal).ThenBy(l => l.Place.ConversationId, StringComparer.Ordinal)],
        };
        return result;
    }

    /// <summary>
    /// How much earlier than the last run's activity reads began a row's write time may be and still be one that run did not see:
    /// the load's clock and the store's are not the same clock.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    private static ActivityPlace PlaceOf(ActivityInterval a) => new(a.Date, a.AccountSid, a.AgentSid, a.StartedAt);

    /// <summary>The (reporting date, local hour) of every interval from the one holding <paramref name="from"/> to the one holding <paramref name="to"/>.</summary>
    private IEnumerable<(string Date, int Hour)> HoursOf(DateTimeOffset from, DateTimeOffset to)
    {
        for (var interval = grid.IntervalOf(from); interval.Start <= to; interval = grid.At(interval.End))
        {
            yield return (interval.Date, interval.LocalStart.Hour);
        }
    }

    /// <summary>
    /// When the local hour <paramref name="hour"/> of <paramref name="date"/> first began (an hour repeated when summer time ends
    /// is taken at its first occurrence; one skipped when it starts, at the next valid instant).
    /// </summary>
    private DateTimeOffset LocalHourStart(string date, int hour)
    {
        var local = ReportingDate.Parse(date).ToDateTime(new TimeOnly(hour, 0));
        while (grid.Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        var offset = grid.Zone.IsAmbiguousTime(local) ? grid.Zone.GetAmbiguousTimeOffsets(local).Max() : grid.Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static Dictionary<string, DateTimeOffset> Latest(Dictionary<string, DateTimeOffset> a, Dictionary<string, DateTimeOffset> b) =>
        a.Concat(b).GroupBy(x => x.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(x => x.Value), StringComparer.Ordinal);

    /// <summary>The pages of <paramref name="pages"/>, each handed to <paramref name="also"/> before it is passed on.</summary>
    private static async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Tee(IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> pages,
        Action<IReadOnlyList<IReadOnlyDictionary<string, object?>>> also, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            also(page);
            yield return page;
        }
    }

    private static async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Pages(IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        foreach (var chunk in rows.Chunk(PageSize))
        {
            yield return chunk;
        }
        await Task.CompletedTask;
    }

    private static Dictionary<string, DateTimeOffset> DatesOf(IReadOnlyList<DatasetChange> marks, string dataset) =>
        marks.Where(m => m.Dataset == dataset && m.Date is not null).GroupBy(m => m.Date!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(m => m.ChangedAt), StringComparer.Ordinal);

    private static IEnumerable<string> Expand(IEnumerable<string> dates) => dates.SelectMany(d => new[] { d, ReportingDate.Shift(d, 1) });


    private static DateTimeOffset Floor(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % IntervalGrid.Length.Ticks), TimeSpan.Zero);

    private static string Iso(DateTimeOffset instant) => DatasetValues.Iso(instant.UtcDateTime);

    /// <summary>The recomputed interval rows by dataset and date.</summary>
    private sealed class ComputedIntervals(bool openActivity)
    {
        private readonly Dictionary<(string Dataset, string Date), List<(DateTimeOffset End, string Key, IReadOnlyDictionary<string, object?> Row)>> _rows = new();

        public DateTimeOffset? EarliestStart { get; private set; }

        /// <summary>The Conversations and Segments files of the marked hours the recomputation read, written as it read them.</summary>
        public IReadOnlyDictionary<(string Date, int Hour), List<ManifestFile>> HourFiles { get; init; } = new Dictionary<(string Date, int Hour), List<ManifestFile>>();

        /// <summary>What this run carries to the next (<see cref="LoadState.Carried"/>).</summary>
        public IntervalCheckpoint? Carried { get; set; }

        public void Add(string dataset, IEnumerable<(ReportingInterval Interval, Dictionary<string, object?> Row)> rows)
        {
            foreach (var (interval, row) in rows)
            {
                if (!_rows.TryGetValue((dataset, interval.Date), out var list))
                {
                    _rows[(dataset, interval.Date)] = list = [];
                }
                list.Add((interval.End, IntervalRows.KeyOf(dataset, row), row));
                EarliestStart = EarliestStart is { } e && e <= interval.Start ? e : interval.Start;
            }
        }

        public IReadOnlyList<(DateTimeOffset End, string Key, IReadOnlyDictionary<string, object?> Row)> Rows(string dataset, string date) =>
            _rows.GetValueOrDefault((dataset, date)) ?? [];

        /// <summary>Dates with segment intervals that end after this run's last window: recomputed next run.</summary>
        public IEnumerable<string> PendingSegmentDates(DateTimeOffset end) =>
            _rows.Where(r => r.Key.Dataset != LoadDatasets.AgentActivityIntervals && r.Value.Any(x => x.End > end)).Select(r => r.Key.Date).Distinct(StringComparer.Ordinal);

        /// <summary>Activity dates likewise, and the date of the next interval when an activity is still open (it grows every window).</summary>
        public IEnumerable<string> PendingActivityDates(DateTimeOffset end, IntervalGrid grid)
        {
            var pending = _rows.Where(r => r.Key.Dataset == LoadDatasets.AgentActivityIntervals && r.Value.Any(x => x.End > end)).Select(r => r.Key.Date);
            return (openActivity ? pending.Append(grid.IntervalOf(end).Date) : pending).Distinct(StringComparer.Ordinal);
        }
    }
}
