using System.Globalization;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Maps a validated TaskRouter callback to the filtered envelope. The one path from callback fields to an envelope: the
/// HTTP ingest, backfill and replay use it (<see cref="FromCallback(IReadOnlyDictionary{string, string}, AccountOptions, DateTimeOffset)"/>).
/// EventDescription is never read; task attributes pass through the HIPAA filter, worker attributes through the Agents
/// allow-list, and the free-text reasons through the account's outcome vocabulary (<see cref="OutcomeVocabulary"/>: for a
/// HIPAA account a reason outside it becomes <c>Other</c> and is counted by <see cref="PipelineMetrics.OutcomesReplaced"/>).
/// </summary>
public sealed class TaskRouterEnvelopeMapper(AttributeFilter filter, PipelineMetrics? metrics = null)
{
    /// <summary>
    /// Validation, then <see cref="Map(ValidatedTaskRouterEvent, AccountOptions, DateTimeOffset)"/>: the one path from callback fields
    /// to an envelope, shared by the HTTP ingest, backfill and replay. The error names the first bad field. An envelope too large to
    /// store (<see cref="EnvelopeJson.MaxChars"/>) is refused, naming its attributes, the only part of it that no other rule bounds.
    /// </summary>
    public (EventEnvelope? Envelope, IngestError? Error) FromCallback(IReadOnlyDictionary<string, string> fields, AccountOptions account, DateTimeOffset receivedAt)
    {
        var validation = TaskRouterEventValidator.Validate(fields);
        if (validation.Error is { } error)
        {
            return (null, error);
        }
        var envelope = Map(validation.Event!, account, receivedAt);
        if (!EnvelopeJson.Fits(EnvelopeJson.Serialize(envelope)))
        {
            var field = envelope.TaskAttributes is not null ? "TaskAttributes" : "WorkerAttributes";
            return (null, new IngestError($"The event is larger than can be stored ({EnvelopeJson.MaxChars} characters once filtered); {field} is the part without a size rule of its own.", field));
        }
        return (envelope, null);
    }

    /// <summary>For an account with this HIPAA setting and the default outcome vocabulary (tests and benchmarks).</summary>
    public (EventEnvelope? Envelope, IngestError? Error) FromCallback(IReadOnlyDictionary<string, string> fields, bool accountIsHipaa, DateTimeOffset receivedAt) =>
        FromCallback(fields, new AccountOptions { Hipaa = accountIsHipaa }, receivedAt);

    /// <summary>For an account with this HIPAA setting and the default outcome vocabulary (tests and benchmarks).</summary>
    public EventEnvelope Map(ValidatedTaskRouterEvent validated, bool accountIsHipaa, DateTimeOffset receivedAt) =>
        Map(validated, new AccountOptions { Hipaa = accountIsHipaa }, receivedAt);

    public EventEnvelope Map(ValidatedTaskRouterEvent validated, AccountOptions account, DateTimeOffset receivedAt)
    {
        var f = validated.Fields;
        FilteredTaskAttributes? task = validated.TaskAttributes is null
            ? null
            : filter.FilterTaskAttributes(validated.TaskAttributes, account.Hipaa);
        var hipaa = task?.HipaaApplied ?? account.Hipaa;
        var accountSid = f["AccountSid"].Trim();

        var taskSid = Get(f, "TaskSid");
        var reservationSid = Get(f, "ReservationSid");
        var workerSid = Get(f, "WorkerSid");

        return new EventEnvelope
        {
            Kind = EnvelopeKinds.TaskRouter,
            EventSid = f["Sid"].Trim(),
            AccountSid = accountSid,
            WorkspaceSid = f["WorkspaceSid"].Trim(),
            WorkspaceName = Cut(Get(f, "WorkspaceName")),
            EventType = f["EventType"].Trim(),
            TimestampMs = validated.TimestampMs,
            ReceivedAtMs = receivedAt.ToUnixTimeMilliseconds(),
            Hipaa = hipaa,
            ResourceType = Get(f, "ResourceType"),
            ResourceSid = Get(f, "ResourceSid"),
            Task = taskSid is null ? null : new TaskFields
            {
                Sid = taskSid,
                Version = Long(f, "TaskVersion"),
                AssignmentStatus = Get(f, "TaskAssignmentStatus"),
                CanceledReason = Reason(Get(f, "TaskCanceledReason"), "TaskCanceledReason", hipaa, account, accountSid),
                CompletedReason = Reason(Get(f, "TaskCompletedReason"), "TaskCompletedReason", hipaa, account, accountSid),
                ChannelUniqueName = Get(f, "TaskChannelUniqueName"),
                QueueSid = Get(f, "TaskQueueSid"),
                QueueName = Cut(Get(f, "TaskQueueName")),
                PreviousQueueSid = Get(f, "PreviousTaskQueueSid"),
                PreviousQueueName = Cut(Get(f, "PreviousTaskQueueName")),
                WorkflowSid = Get(f, "WorkflowSid"),
                WorkflowName = Cut(Get(f, "WorkflowName")),
                DateCreatedMs = Long(f, "TaskDateCreated") * 1000,
                AgeSeconds = Long(f, "TaskAge"),
                Reason = Reason(Get(f, "Reason"), "Reason", hipaa, account, accountSid),
            },
            Reservation = reservationSid is null ? null : new ReservationFields
            {
                Sid = reservationSid,
                Version = Long(f, "ReservationVersion"),
            },
            Worker = workerSid is null ? null : new WorkerFields
            {
                Sid = workerSid,
                Name = Cut(Get(f, "WorkerName")),
                Version = Long(f, "WorkerVersion"),
                ActivitySid = Get(f, "WorkerActivitySid"),
                ActivityName = Cut(Get(f, "WorkerActivityName")),
                PreviousActivitySid = Get(f, "WorkerPreviousActivitySid"),
                PreviousActivityName = Cut(Get(f, "WorkerPreviousActivityName")),
                TimeInPreviousActivityMs = Long(f, "WorkerTimeInPreviousActivityMs") ?? Long(f, "WorkerTimeInPreviousActivity") * 1000,
                ChannelUniqueName = taskSid is null ? Get(f, "TaskChannelUniqueName") : null,
                ChannelAvailable = Bool(f, "WorkerChannelAvailable"),
                ChannelAvailableCapacity = Long(f, "WorkerChannelAvailableCapacity"),
                ChannelTaskCount = Long(f, "WorkerChannelTaskCount"),
            },
            Links = MergeTransferSid(task?.Links ?? LinkingIds.None, Get(f, "TaskTransferSid") ?? Get(f, "TransferSid")),
            TaskAttributes = task?.Attributes,
            WorkerAttributes = validated.WorkerAttributes is null ? null : AttributeFilter.FilterWorkerAttributes(validated.WorkerAttributes),
        };
    }

    /// <summary>
    /// A recorded envelope (replay) through the same filters as a callback: its attributes and its reasons again, under the
    /// account's settings now. A filtered envelope comes out as it went in; a tampered one loses what a callback would have.
    /// </summary>
    public EventEnvelope Refilter(EventEnvelope recorded, AccountOptions account)
    {
        var task = recorded.TaskAttributes is null ? null : filter.FilterTaskAttributes(recorded.TaskAttributes, account.Hipaa || recorded.Hipaa);
        var hipaa = task?.HipaaApplied ?? (account.Hipaa || recorded.Hipaa);
        return recorded with
        {
            Hipaa = hipaa,
            Task = recorded.Task is not { } fields ? null : fields with
            {
                CanceledReason = Reason(fields.CanceledReason, "TaskCanceledReason", hipaa, account, recorded.AccountSid),
                CompletedReason = Reason(fields.CompletedReason, "TaskCompletedReason", hipaa, account, recorded.AccountSid),
                Reason = Reason(fields.Reason, "Reason", hipaa, account, recorded.AccountSid),
            },
            TaskAttributes = task?.Attributes,
            WorkerAttributes = recorded.WorkerAttributes is null ? null : AttributeFilter.FilterWorkerAttributes(recorded.WorkerAttributes),
        };
    }

    /// <summary>A free-text reason as kept (<see cref="OutcomeVocabulary.Filter"/>); a replaced one is counted by account and field, never by its text.</summary>
    private string? Reason(string? text, string field, bool hipaa, AccountOptions account, string accountSid)
    {
        var reason = OutcomeVocabulary.Filter(text, hipaa, account.Outcomes);
        if (reason.Replaced)
        {
            metrics?.OutcomesReplaced.Add(1, new KeyValuePair<string, object?>("account_sid", accountSid), new KeyValuePair<string, object?>("field", field));
        }
        return reason.Value;
    }

    private static LinkingIds MergeTransferSid(LinkingIds links, string? transferSid) =>
        links.TransferSid is null && transferSid is not null ? links with { TransferSid = transferSid } : links;

    private static string? Get(IReadOnlyDictionary<string, string> f, string name) =>
        f.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static string? Cut(string? s) => s is null ? null : AttributeFilter.Cut(s);

    private static long? Long(IReadOnlyDictionary<string, string> f, string name) =>
        Get(f, name) is { } s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static bool? Bool(IReadOnlyDictionary<string, string> f, string name) =>
        Get(f, name) switch
        {
            null => null,
            "1" => true,
            "0" => false,
            var s => bool.TryParse(s, out var b) ? b : null,
        };
}
