using System.Globalization;
using InsightsFunctions.Events;
using InsightsFunctions.Hipaa;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Maps a validated TaskRouter callback to the filtered envelope. The one path from callback fields to an
/// envelope: the HTTP ingest, backfill and replay use it (<see cref="FromCallback"/>). EventDescription is never read;
/// task attributes pass through the HIPAA filter, worker attributes through the Agents allow-list.
/// </summary>
public sealed class TaskRouterEnvelopeMapper(AttributeFilter filter)
{
    /// <summary>
    /// Validation, then <see cref="Map"/>: the one path from callback fields to an envelope, shared by the HTTP ingest,
    /// backfill and replay. The error names the first bad field. An envelope too large to store (<see cref="EnvelopeJson.MaxChars"/>)
    /// is refused, naming its attributes, the only part of it that no other rule bounds.
    /// </summary>
    public (EventEnvelope? Envelope, IngestError? Error) FromCallback(IReadOnlyDictionary<string, string> fields, bool accountIsHipaa, DateTimeOffset receivedAt)
    {
        var validation = TaskRouterEventValidator.Validate(fields);
        if (validation.Error is { } error)
        {
            return (null, error);
        }
        var envelope = Map(validation.Event!, accountIsHipaa, receivedAt);
        if (!EnvelopeJson.Fits(EnvelopeJson.Serialize(envelope)))
        {
            var field = envelope.TaskAttributes is not null ? "TaskAttributes" : "WorkerAttributes";
            return (null, new IngestError($"The event is larger than can be stored ({EnvelopeJson.MaxChars} characters once filtered); {field} is the part without a size rule of its own.", field));
        }
        return (envelope, null);
    }

    public EventEnvelope Map(ValidatedTaskRouterEvent validated, bool accountIsHipaa, DateTimeOffset receivedAt)
    {
        var f = validated.Fields;
        FilteredTaskAttributes? task = validated.TaskAttributes is null
            ? null
            : filter.FilterTaskAttributes(validated.TaskAttributes, accountIsHipaa);

        var taskSid = Get(f, "TaskSid");
        var reservationSid = Get(f, "ReservationSid");
        var workerSid = Get(f, "WorkerSid");

        return new EventEnvelope
        {
            Kind = EnvelopeKinds.TaskRouter,
            EventSid = f["Sid"].Trim(),
            AccountSid = f["AccountSid"].Trim(),
            WorkspaceSid = f["WorkspaceSid"].Trim(),
            WorkspaceName = Cut(Get(f, "WorkspaceName")),
            EventType = f["EventType"].Trim(),
            TimestampMs = validated.TimestampMs,
            ReceivedAtMs = receivedAt.ToUnixTimeMilliseconds(),
            Hipaa = task?.HipaaApplied ?? accountIsHipaa,
            ResourceType = Get(f, "ResourceType"),
            ResourceSid = Get(f, "ResourceSid"),
            Task = taskSid is null ? null : new TaskFields
            {
                Sid = taskSid,
                Version = Long(f, "TaskVersion"),
                AssignmentStatus = Get(f, "TaskAssignmentStatus"),
                CanceledReason = Cut(Get(f, "TaskCanceledReason")),
                CompletedReason = Cut(Get(f, "TaskCompletedReason")),
                ChannelUniqueName = Get(f, "TaskChannelUniqueName"),
                QueueSid = Get(f, "TaskQueueSid"),
                QueueName = Cut(Get(f, "TaskQueueName")),
                PreviousQueueSid = Get(f, "PreviousTaskQueueSid"),
                PreviousQueueName = Cut(Get(f, "PreviousTaskQueueName")),
                WorkflowSid = Get(f, "WorkflowSid"),
                WorkflowName = Cut(Get(f, "WorkflowName")),
                DateCreatedMs = Long(f, "TaskDateCreated") * 1000,
                AgeSeconds = Long(f, "TaskAge"),
                Reason = Cut(Get(f, "Reason")),
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
