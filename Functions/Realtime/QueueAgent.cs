namespace InsightsFunctions.Realtime;

/// <summary>
/// An agent took a task from a queue in a conversation of reporting date <see cref="Date"/>: QueueStatus lists, among the
/// agents available now, those who did so since the start of yesterday (TaskRouter does not say which queues an agent serves).
/// </summary>
public sealed record QueueAgent(string AccountSid, string QueueSid, string AgentSid, string Date);
