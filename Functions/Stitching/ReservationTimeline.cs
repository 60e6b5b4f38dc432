using InsightsFunctions.Events;

namespace InsightsFunctions.Stitching;

/// <summary>The events of one reservation of a task, in the task's life-cycle order.</summary>
public sealed class ReservationTimeline(string reservationSid)
{
    private readonly List<EventEnvelope> _events = [];

    public string ReservationSid { get; } = reservationSid;

    public IReadOnlyList<EventEnvelope> Events => _events;

    internal void Add(EventEnvelope e) => _events.Add(e);

    /// <summary>The first event of the type, or null.</summary>
    public EventEnvelope? First(string eventType)
    {
        foreach (var e in _events)
        {
            if (e.EventType == eventType)
            {
                return e;
            }
        }
        return null;
    }

    /// <summary>The event that ended the ringing (accepted, rejected, timed out, canceled, rescinded), or null while it rings.</summary>
    public EventEnvelope? End()
    {
        foreach (var e in _events)
        {
            if (TaskRouterEventTypes.EndsReservation(e.EventType))
            {
                return e;
            }
        }
        return null;
    }
}
