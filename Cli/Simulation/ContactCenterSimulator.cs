using System.Globalization;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Cli.Simulation;

/// <summary>
/// A seeded discrete-event simulation of a contact-center day that emits TaskRouter callbacks with their
/// real field names, in time order: inbound voice and chat, abandons in queue (short and long) and while
/// ringing, rejected and timed-out reservations, cold and warm voice transfers sharing call_sid (with
/// previous_task_sid), chat transfers linked by conversations.conversation_id, wrap-up, late
/// segment_link updates, breaks and shift activity changes. Customer attributes carry PII canaries.
/// The same options always give the same events.
/// </summary>
public sealed class ContactCenterSimulator
{
    private static readonly string[] QueueNames = ["Appointments", "Billing", "Pharmacy", "Nurse Line", "Claims", "General", "Referrals", "Lab Results"];
    private static readonly string[] FirstNames = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kira", "Luis"];
    private static readonly string[] LastNames = ["Ortiz", "Nakamura", "Okafor", "Silva", "Kowalski", "Haddad", "Lind", "Moreau"];

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly PriorityQueue<Action, (long, long)> _agenda = new();
    private readonly List<SimulatedEvent> _events = [];
    private readonly List<Agent> _agents = [];
    private readonly List<Queue> _queues = [];
    private readonly string _workflowSid;
    private readonly Dictionary<string, string> _activities;
    private long _now;
    private long _sequence;
    private int _customerCount;

    public ContactCenterSimulator(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _workflowSid = Sid("WW");
        _activities = new Dictionary<string, string>
        {
            ["Offline"] = Sid("WA"),
            ["Available"] = Sid("WA"),
            ["Break"] = Sid("WA"),
            ["Unavailable"] = Sid("WA"),
        };
    }

    public static IReadOnlyList<SimulatedEvent> Generate(SimulationOptions options) => new ContactCenterSimulator(options).Run();

    private long StartMs => _options.Start.ToUnixTimeMilliseconds();
    private long EndMs => StartMs + (long)(_options.Hours * 3_600_000);

    private IReadOnlyList<SimulatedEvent> Run()
    {
        for (var q = 0; q < Math.Clamp(_options.Queues, 1, QueueNames.Length); q++)
        {
            _queues.Add(new Queue(Sid("WQ"), QueueNames[q]));
        }
        for (var a = 0; a < Math.Max(1, _options.Agents); a++)
        {
            var first = FirstNames[a % FirstNames.Length];
            var last = LastNames[(a / FirstNames.Length + a) % LastNames.Length];
            var skills = _queues.Count == 1 ? [0] : new[] { a % _queues.Count, (a + 1) % _queues.Count };
            var agent = new Agent(Sid("WK"), $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{a}", $"{first} {last}", skills, a % 3);
            agent.ActivitySince = StartMs;
            _agents.Add(agent);
            At(StartMs + _random.Next(0, 60_000), () => ChangeActivity(agent, "Available"));
            At(StartMs + (long)(_options.Hours * 3_600_000 * (0.3 + 0.4 * _random.NextDouble())), () => agent.BreakDue = true);
        }

        // Arrivals: about 7 contacts per agent-hour keeps the floor busy (~70% occupancy at ~6 min AHT).
        var ratePerMs = _agents.Count * 7.0 / 3_600_000;
        for (var t = StartMs + 60_000 + Exponential(1 / ratePerMs); t < EndMs; t += Exponential(1 / ratePerMs))
        {
            var arrival = t;
            At(arrival, () => Arrive(NewContact(), _random.Next(_queues.Count), previous: null));
        }
        At(EndMs, () => { foreach (var agent in _agents) { agent.ShiftOver = true; if (!agent.Busy) ChangeActivity(agent, "Offline"); } });

        while (_agenda.TryDequeue(out var action, out var when))
        {
            _now = when.Item1;
            action();
        }
        return _events;
    }

    // ---- contacts ---------------------------------------------------------------------------------

    private Contact NewContact()
    {
        _customerCount++;
        var canary = _customerCount == 1 || _customerCount % 7 == 0;
        var voice = _random.NextDouble() < 0.7;
        var name = canary ? PiiCanaries.Name : $"{Pick(FirstNames)} {Pick(LastNames)}";
        var phone = canary ? PiiCanaries.Phone : $"+1555{_random.Next(1000000, 9999999)}";
        return new Contact(voice ? "voice" : "chat", voice ? Sid("CA") : null, voice ? null : Sid("CH"), voice ? null : Sid("KD"), name, phone,
            canary ? PiiCanaries.Email : $"{name.Replace(' ', '.').ToLowerInvariant()}@example.org", canary);
    }

    private void Arrive(Contact contact, int queueIndex, SimTask? previous, bool warm = false)
    {
        var task = new SimTask(Sid("WT"), contact, _queues[queueIndex], _now)
        {
            PreviousTaskSid = contact.Channel == "voice" ? previous?.Sid : null,
            ConversationId = contact.Channel == "chat" && previous is not null ? previous.RootSid : null,
            RootSid = previous?.RootSid,
        };
        task.RootSid ??= task.Sid;
        task.Attributes = Attributes(task);
        EmitTask("task.created", task, "pending");
        _now += 150;
        EmitTask("workflow.entered", task, "pending");
        EmitTask("task-queue.entered", task, "pending");

        var impatient = _random.NextDouble() < 0.08;
        var patience = impatient ? 1_000 + _random.Next(3_500) : Exponential(contact.Channel == "voice" ? 150_000 : 400_000);
        if (warm)
        {
            patience = 1_800_000; // the agent stays on the line during a warm transfer; gives up after 30 min
        }
        At(_now + patience, () => Abandon(task));
        task.Queue.Waiting.Add(task);
        Dispatch(task.Queue);
    }

    private void Dispatch(Queue queue)
    {
        while (queue.Waiting.Count > 0)
        {
            var qi = _queues.IndexOf(queue);
            var agent = _agents.Where(a => !a.Busy && a.Activity == "Available" && a.Skills.Contains(qi))
                .OrderBy(a => a.FreeSince).FirstOrDefault();
            if (agent is null)
            {
                return;
            }
            var task = queue.Waiting[0];
            queue.Waiting.RemoveAt(0);
            Offer(task, agent);
        }
    }

    private void Offer(SimTask task, Agent agent)
    {
        agent.Busy = true;
        var reservation = new Reservation(Sid("WR"), agent);
        task.Ringing = reservation;
        EmitReservation("reservation.created", task, reservation, "reserved");
        var roll = _random.NextDouble();
        if (roll < 0.05)
        {
            At(_now + 2_000 + _random.Next(6_000), () => EndOffer(task, reservation, "reservation.rejected"));
        }
        else if (roll < 0.09)
        {
            At(_now + 20_000, () => EndOffer(task, reservation, "reservation.timeout"));
        }
        else
        {
            At(_now + 2_000 + _random.Next(6_000), () => Accept(task, reservation));
        }
    }

    private void EndOffer(SimTask task, Reservation reservation, string type)
    {
        if (task.Ringing != reservation)
        {
            return; // caller hung up while it rang
        }
        task.Ringing = null;
        EmitReservation(type, task, reservation, "pending");
        var agent = reservation.Agent;
        agent.Busy = false;
        agent.FreeSince = _now;
        if (type == "reservation.timeout")
        {
            ChangeActivity(agent, "Unavailable");
            // Back to Available after 30 s, or, when the shift ended meanwhile (or already had), logged out.
            At(_now + 30_000, () =>
            {
                if (!agent.ShiftOver)
                {
                    ChangeActivity(agent, "Available");
                }
                else if (!agent.Busy && agent.Activity != "Offline")
                {
                    ChangeActivity(agent, "Offline");
                }
            });
        }
        task.Queue.Waiting.Insert(0, task);
        Dispatch(task.Queue);
        if (type == "reservation.rejected")
        {
            AgentFree(agent);
        }
    }

    private void Abandon(SimTask task)
    {
        if (task.Accepted || task.Done)
        {
            return;
        }
        if (task.Ringing is { } ringing)
        {
            task.Ringing = null;
            EmitReservation("reservation.canceled", task, ringing, "canceled");
            ringing.Agent.Busy = false;
            ringing.Agent.FreeSince = _now;
            At(_now + 1, () => AgentFree(ringing.Agent));
        }
        task.Queue.Waiting.Remove(task);
        task.Done = true;
        EmitTask("task.canceled", task, "canceled", ("TaskCanceledReason", "hangup"));
    }

    private void Accept(SimTask task, Reservation reservation)
    {
        if (task.Ringing != reservation)
        {
            return;
        }
        task.Ringing = null;
        task.Accepted = true;
        EmitReservation("reservation.accepted", task, reservation, "assigned");
        _now += 400;
        task.Version++;
        EmitTask("task.updated", task, "assigned");

        var talk = LogNormal(task.Contact.Channel == "voice" ? 240_000 : 420_000);
        var roll = _random.NextDouble();
        var cold = roll < 0.08;
        var warm = !cold && roll < 0.11 && task.Contact.Channel == "voice";
        var other = (_queues.IndexOf(task.Queue) + 1) % _queues.Count;
        if (warm)
        {
            At(_now + talk - 30_000, () => Arrive(task.Contact, other, task, warm: true));
        }
        At(_now + talk, () =>
        {
            if (cold)
            {
                Arrive(task.Contact, other, task);
            }
            EmitReservation("reservation.wrapup", task, reservation, "wrapping");
            EmitTask("task.wrapup", task, "wrapping");
            At(_now + 20_000 + _random.Next(70_000), () => Complete(task, reservation));
        });
    }

    private void Complete(SimTask task, Reservation reservation)
    {
        task.Done = true;
        EmitReservation("reservation.completed", task, reservation, "completed");
        EmitTask("task.completed", task, "completed", ("TaskCompletedReason", "Task completed via Flex UI")); // Flex's own reason: in the HIPAA outcome vocabulary
        if (task.Contact.Channel == "voice" && _random.NextDouble() < 0.5)
        {
            At(_now + 30_000, () =>
            {
                // Flex adds the recording link after completion (seed 001).
                task.Version++;
                ((JsonObject)task.Attributes["conversations"]!)["segment_link"] = $"https://recordings.example.org/{task.Sid}.wav";
                EmitTask("task.updated", task, "completed");
            });
        }
        AgentFree(reservation.Agent);
    }

    private void AgentFree(Agent agent)
    {
        agent.Busy = false;
        agent.FreeSince = _now;
        if (agent.ShiftOver)
        {
            if (agent.Activity != "Offline")
            {
                ChangeActivity(agent, "Offline");
            }
            return;
        }
        if (agent.BreakDue && agent.Activity == "Available")
        {
            agent.BreakDue = false;
            ChangeActivity(agent, "Break");
            At(_now + 600_000 + _random.Next(300_000), () => { if (!agent.ShiftOver) ChangeActivity(agent, "Available"); });
            return;
        }
        foreach (var qi in agent.Skills)
        {
            Dispatch(_queues[qi]);
        }
    }

    private void ChangeActivity(Agent agent, string activity)
    {
        if (agent.Activity == activity)
        {
            return;
        }
        var previous = agent.Activity;
        var inPrevious = _now - agent.ActivitySince;
        agent.Activity = activity;
        agent.ActivitySince = _now;
        agent.Version++;
        var f = Envelope("worker.activity.update", "worker", agent.Sid, $"Worker {agent.FriendlyName} updated to {activity} Activity");
        AddWorker(f, agent);
        f["WorkerPreviousActivitySid"] = _activities[previous];
        f["WorkerPreviousActivityName"] = previous;
        f["WorkerTimeInPreviousActivity"] = (inPrevious / 1000).ToString(CultureInfo.InvariantCulture);
        f["WorkerTimeInPreviousActivityMs"] = inPrevious.ToString(CultureInfo.InvariantCulture);
        _events.Add(new SimulatedEvent(_now, f));
        if (activity == "Available")
        {
            agent.FreeSince = _now;
            foreach (var qi in agent.Skills)
            {
                Dispatch(_queues[qi]);
            }
        }
    }

    // ---- event fields -----------------------------------------------------------------------------

    private JsonObject Attributes(SimTask task)
    {
        var c = task.Contact;
        var customers = new JsonObject
        {
            ["name"] = c.Name,
            ["email"] = c.Email,
            ["phone"] = c.Phone,
            ["zip"] = "62701",
            ["category"] = _random.NextDouble() < 0.2 ? "VIP" : "Standard",
            ["market_segment"] = "Medicare",
            ["year_of_birth"] = "1951",
            ["customer_attribute_1"] = _random.NextDouble() < 0.1 ? "priority" : "routine",
        };
        var conversations = new JsonObject
        {
            ["communication_channel"] = c.Channel == "voice" ? "Call" : "Chat",
            ["language"] = _random.NextDouble() < 0.15 ? "Spanish" : "English",
            ["conversation_attribute_1"] = task.Queue.Name,
            ["case"] = "CASE-" + _random.Next(10000, 99999),
        };
        if (task.ConversationId is not null)
        {
            conversations["conversation_id"] = task.ConversationId;
        }
        var attributes = new JsonObject
        {
            ["direction"] = "inbound",
            ["name"] = c.Name,
            ["customers"] = customers,
            ["conversations"] = conversations,
            ["patient"] = new JsonObject { ["address"] = PiiCanaries.Address, ["notes"] = new JsonArray(PiiCanaries.Diagnosis, c.Phone) },
        };
        if (c.Channel == "voice")
        {
            attributes["call_sid"] = c.CallSid;
            attributes["from"] = c.Phone;
            attributes["caller"] = c.Phone;
            attributes["to"] = "+18005550100";
            attributes["called"] = "+18005550100";
            attributes["from_city"] = "SPRINGFIELD";
            attributes["from_state"] = "IL";
            attributes["from_zip"] = "62701";
            attributes["from_country"] = "US";
            attributes["caller_country"] = "US";
            attributes["call_status"] = "ringing";
            attributes["api_version"] = "2010-04-01";
        }
        else
        {
            attributes["channelType"] = "web";
            attributes["channelSid"] = c.ChannelSid;
            attributes["flexInteractionSid"] = c.InteractionSid;
            attributes["from"] = c.Email;
            attributes["from_country"] = "US";
        }
        if (task.PreviousTaskSid is not null)
        {
            attributes["previous_task_sid"] = task.PreviousTaskSid;
        }
        return attributes;
    }

    private Dictionary<string, string> Envelope(string type, string resourceType, string resourceSid, string description) => new(StringComparer.Ordinal)
    {
        ["EventType"] = type,
        ["AccountSid"] = _options.AccountSid,
        ["WorkspaceSid"] = _options.WorkspaceSid,
        ["WorkspaceName"] = "Flex Task Assignment",
        ["Sid"] = Sid("EV"),
        ["Timestamp"] = (_now / 1000).ToString(CultureInfo.InvariantCulture),
        ["TimestampMs"] = _now.ToString(CultureInfo.InvariantCulture),
        ["ResourceType"] = resourceType,
        ["ResourceSid"] = resourceSid,
        ["EventDescription"] = description,
    };

    private void EmitTask(string type, SimTask task, string status, params (string Key, string Value)[] extra)
    {
        var f = Envelope(type, "task", task.Sid, $"Task {task.Sid} for {task.Contact.Name} {type}");
        AddTask(f, task, status);
        foreach (var (key, value) in extra)
        {
            f[key] = value;
        }
        _events.Add(new SimulatedEvent(_now, f));
    }

    private void EmitReservation(string type, SimTask task, Reservation reservation, string status)
    {
        var f = Envelope(type, "reservation", reservation.Sid, $"Reservation {reservation.Sid} for {task.Contact.Name} {type}");
        AddTask(f, task, status);
        AddWorker(f, reservation.Agent);
        f["ReservationSid"] = reservation.Sid;
        f["ReservationVersion"] = "1";
        f["WorkerChannelCapacity"] = "1";
        _events.Add(new SimulatedEvent(_now, f));
    }

    private void AddTask(Dictionary<string, string> f, SimTask task, string status)
    {
        f["TaskSid"] = task.Sid;
        f["TaskAttributes"] = task.Attributes.ToJsonString();
        f["TaskAge"] = ((_now - task.CreatedMs) / 1000).ToString(CultureInfo.InvariantCulture);
        f["TaskPriority"] = "0";
        f["TaskAssignmentStatus"] = status;
        f["TaskChannelUniqueName"] = task.Contact.Channel;
        f["TaskChannelSid"] = task.Contact.Channel == "voice" ? "TC00000000000000000000000000000001" : "TC00000000000000000000000000000002";
        f["TaskQueueSid"] = task.Queue.Sid;
        f["TaskQueueName"] = task.Queue.Name;
        f["TaskQueueTargetExpression"] = "1==1";
        f["WorkflowSid"] = _workflowSid;
        f["WorkflowName"] = "Assign to Anyone";
        f["TaskVersion"] = task.Version.ToString(CultureInfo.InvariantCulture);
        f["TaskDateCreated"] = (task.CreatedMs / 1000).ToString(CultureInfo.InvariantCulture);
    }

    private void AddWorker(Dictionary<string, string> f, Agent agent)
    {
        f["WorkerSid"] = agent.Sid;
        f["WorkerName"] = agent.FriendlyName;
        f["WorkerActivitySid"] = _activities[agent.Activity];
        f["WorkerActivityName"] = agent.Activity;
        f["WorkerVersion"] = agent.Version.ToString(CultureInfo.InvariantCulture);
        f["WorkerAttributes"] = new JsonObject
        {
            ["full_name"] = agent.FullName,
            ["email"] = $"{agent.FriendlyName}@center.example.org",
            ["team_id"] = $"team-{agent.Team + 1}",
            ["team_name"] = $"Team {(char)('A' + agent.Team)}",
            ["department_id"] = "care",
            ["department_name"] = "Patient Care",
            ["location"] = "Remote",
            ["contact_uri"] = $"client:{agent.FriendlyName}",
            ["home_phone"] = "+15550100000",
            ["routing"] = new JsonObject { ["skills"] = new JsonArray(agent.Skills.Select(s => (JsonNode)_queues[s].Name).ToArray()) },
        }.ToJsonString();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void At(long when, Action action) => _agenda.Enqueue(action, (Math.Max(when, _now), _sequence++));

    private string Sid(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return prefix + Convert.ToHexStringLower(bytes);
    }

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private long Exponential(double meanMs) => (long)(-Math.Log(1 - _random.NextDouble()) * meanMs);

    private long LogNormal(double meanMs)
    {
        const double sigma = 0.5;
        var normal = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
        return (long)(meanMs * Math.Exp(sigma * normal - sigma * sigma / 2));
    }

    private sealed record Contact(string Channel, string? CallSid, string? ChannelSid, string? InteractionSid, string Name, string Phone, string Email, bool Canary);

    private sealed record Reservation(string Sid, Agent Agent);

    private sealed class Queue(string sid, string name)
    {
        public string Sid { get; } = sid;
        public string Name { get; } = name;
        public List<SimTask> Waiting { get; } = [];
    }

    private sealed class SimTask(string sid, Contact contact, Queue queue, long createdMs)
    {
        public string Sid { get; } = sid;
        public Contact Contact { get; } = contact;
        public Queue Queue { get; } = queue;
        public long CreatedMs { get; } = createdMs;
        public JsonObject Attributes { get; set; } = [];
        public long Version { get; set; }
        public string? PreviousTaskSid { get; init; }
        public string? ConversationId { get; init; }
        public string? RootSid { get; set; }
        public Reservation? Ringing { get; set; }
        public bool Accepted { get; set; }
        public bool Done { get; set; }
    }

    private sealed class Agent(string sid, string friendlyName, string fullName, int[] skills, int team)
    {
        public string Sid { get; } = sid;
        public string FriendlyName { get; } = friendlyName;
        public string FullName { get; } = fullName;
        public int[] Skills { get; } = skills;
        public int Team { get; } = team;
        public string Activity { get; set; } = "Offline";
        public long ActivitySince { get; set; }
        public long Version { get; set; }
        public bool Busy { get; set; }
        public long FreeSince { get; set; }
        public bool BreakDue { get; set; }
        public bool ShiftOver { get; set; }
    }
}
