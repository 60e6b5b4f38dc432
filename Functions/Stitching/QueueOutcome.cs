namespace InsightsFunctions.Stitching;

/// <summary>
/// How a Queue segment ended, as every count of it reads it (QueueIntervals, QueueStatus, RtaIntervals): accepted
/// (within the queue's SLA threshold or not), abandoned (a short abandon or not), or neither (still waiting, or
/// moved on by a transfer or timeout).
/// </summary>
public readonly record struct QueueOutcome(bool Handled, bool InServiceLevel, bool Abandoned, bool ShortAbandoned)
{
    public static QueueOutcome Of(Segment queueSegment, SlaPolicy sla) =>
        queueSegment.QueueExit == "accepted"
            ? new(true, queueSegment.QueueTime <= sla.ThresholdSeconds(queueSegment.QueueSid, queueSegment.QueueName), false, false)
            : queueSegment.Abandoned == true
                ? new(false, false, true, queueSegment.AbandonedPhase == AbandonedPhases.ShortQueue)
                : default;
}
