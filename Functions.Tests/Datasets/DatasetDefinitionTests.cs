using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Datasets;

[Trait("Category", "Unit")]
public sealed class DatasetDefinitionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 10, 15, 2, 123, TimeSpan.Zero);

    /// <summary>The exported columns as ExportSchemas listed them before the definitions (datasets.md order), name:type.</summary>
    private static readonly Dictionary<string, string[]> ExportedBefore = new()
    {
        [ConversationsDataset.ExportName] =
        [
            "conversation_id:Text", "account_sid:Text", "workspace_sid:Text", "date:Text", "started_at:Timestamp",
            "ended_at:Timestamp", "channel:Text", "communication_channel:Text", "direction:Text", "first_queue_name:Text",
            "first_queue_sid:Text", "handling_team_id:Text", "handling_team_name:Text", "workflow_name:Text", "agent_sid:Text",
            "agent_name:Text", "segments:Integer", "transfers:Integer", "handled_segments:Integer", "handled:Flag",
            "abandoned:Flag", "abandoned_phase:Text", "abandon_time:Number", "queue_time:Number", "ring_time:Number",
            "talk_time:Number", "wrap_up_time:Number", "handle_time:Number", "hold_time:Number", "ivr_time:Number",
            "in_service_level:Flag", "outcome:Text", "customer_key:Text", "customer_country:Text", "customer_phone:Text",
            "customer_city:Text", "customer_state:Text", "customer_zip:Text", "segment_link:Text", "updated_at:Timestamp",
        ],
        [SegmentsDataset.ExportName] =
        [
            "segment_id:Text", "kind:Text", "conversation_id:Text", "task_sid:Text", "sequence:Integer", "account_sid:Text",
            "workspace_sid:Text", "channel:Text", "direction:Text", "workflow_name:Text", "queue_sid:Text", "queue_name:Text",
            "agent_sid:Text", "agent_name:Text", "reservation_sid:Text", "started_at:Timestamp", "ended_at:Timestamp",
            "queue_time:Number", "ring_time:Number", "talk_time:Number", "wrap_up_time:Number", "hold_time:Number",
            "handle_time:Number", "abandoned:Flag", "abandoned_phase:Text", "abandon_time:Number", "in_service_level:Flag",
            "outcome:Text", "preceded_by:Text", "followed_by:Text", "previous_task_sid:Text", "transfer_sid:Text",
            "segment_link:Text", "updated_at:Timestamp",
        ],
        [ActivitiesDataset.ExportName] =
        [
            "agent_sid:Text", "account_sid:Text", "agent_name:Text", "activity_sid:Text", "activity_name:Text",
            "started_at:Timestamp", "ended_at:Timestamp", "duration:Number", "date:Text", "updated_at:Timestamp",
        ],
        [QueueIntervalsDataset.ExportName] =
        [
            "interval_start:IntervalBoundary", "interval_end:IntervalBoundary", "date:Text", "account_sid:Text", "queue_sid:Text",
            "queue_name:Text", "channel:Text", "sla_threshold_seconds:Number", "offered:Integer", "handled:Integer",
            "abandoned:Integer", "short_abandoned:Integer", "handled_in_service_level:Integer", "service_level_pct:Number",
            "avg_speed_of_answer:Number", "max_queue_time:Number", "avg_abandon_time:Number", "avg_talk_time:Number",
            "avg_wrap_up_time:Number", "avg_handle_time:Number", "transfers_out:Integer", "updated_at:Timestamp",
        ],
        [AgentIntervalsDataset.ExportName] =
        [
            "interval_start:IntervalBoundary", "interval_end:IntervalBoundary", "date:Text", "account_sid:Text", "agent_sid:Text",
            "agent_name:Text", "handled:Integer", "missed:Integer", "rejected:Integer", "talk_time:Number", "wrap_up_time:Number",
            "busy_time:Number", "updated_at:Timestamp",
        ],
        [AgentActivityIntervalsDataset.ExportName] =
        [
            "interval_start:IntervalBoundary", "interval_end:IntervalBoundary", "date:Text", "account_sid:Text", "agent_sid:Text",
            "agent_name:Text", "activity_name:Text", "seconds:Number", "updated_at:Timestamp",
        ],
        [RtaIntervalsDataset.ExportName] =
        [
            "interval_start:IntervalBoundary", "interval_end:IntervalBoundary", "date:Text", "account_sid:Text", "queue_sid:Text",
            "queue_name:Text", "waiting_at_end:Integer", "longest_waiting_at_end:Number", "agents_by_activity:Text",
            "agents_available:Integer", "service_level_pct_today:Number", "updated_at:Timestamp",
        ],
        [AgentsDataset.ExportName] =
        [
            "agent_sid:Text", "account_sid:Text", "full_name:Text", "email:Text", "phone:Text", "location:Text", "manager:Text",
            "role:Text", "state:Text", "team_id:Text", "team_name:Text", "team_name_in_hierarchy:Text", "department_id:Text",
            "department_name:Text", "department_name_in_hierarchy:Text", "updated_at:Timestamp",
        ],
        [CustomersDataset.ExportName] =
        [
            "customer_key:Text", "account_sid:Text", "name:Text", "email:Text", "phone:Text", "city:Text", "state:Text",
            "country:Text", "zip:Text", "category:Text", "market_segment:Text", "organization:Text", "gender:Text",
            "year_of_birth:Text", "acquisition_date:Text", "acquisition_cost:Text", "business_value:Text",
            "customer_manager:Text", "customer_link:Text", "type:Text", "region:Text", "customer_attribute_1:Text",
            "customer_attribute_2:Text", "customer_attribute_3:Text", "customer_label_1:Text", "customer_label_2:Text",
            "customer_label_3:Text", "updated_at:Timestamp",
        ],
    };

    [Fact]
    public void ExportColumns_AreInTheOrderAndTypesExportedBefore()
    {
        Assert.Equal(ExportedBefore.Keys.Order(StringComparer.Ordinal), DatasetCatalog.All.Select(d => d.ExportName).Order(StringComparer.Ordinal));
        Assert.All(DatasetCatalog.All, d => Assert.Equal(ExportedBefore[d.ExportName], d.ExportColumns.Select(c => $"{c.Name}:{c.Type}")));
        Assert.All(DatasetCatalog.All, d => Assert.Equal(ExportedBefore[d.ExportName], ExportSchemas.Of(d.ExportName).Select(c => $"{c.Name}:{c.Type}")));
    }

    [Fact]
    public void Definitions_EndWithUpdatedAt_AndKeepBookkeepingUnexported()
    {
        Assert.All(DatasetCatalog.All, d => Assert.Equal("updated_at", d.ExportColumns.Last().Name));
        Assert.All(DatasetCatalog.All.SelectMany(d => d.BookkeepingColumns), c => Assert.StartsWith("_", c.Name));
        Assert.All(DatasetCatalog.All.SelectMany(d => d.ExportColumns), c => Assert.False(c.Name.StartsWith('_')));
        Assert.Contains(SegmentsDataset.QueueExitColumn, SegmentsDataset.Definition.BookkeepingColumns.Select(c => c.Name));
        Assert.Equal(DatasetPeriod.Snapshot, AgentsDataset.Definition.Period);
        Assert.Equal(DatasetPeriod.Snapshot, CustomersDataset.Definition.Period);
        Assert.All(DatasetCatalog.All.Except([AgentsDataset.Definition, CustomersDataset.Definition]), d => Assert.True(d.IsDated));
    }

    [Fact]
    public void CustomerAttributes_AreTheFieldsTheCustomerBuilderFills()
    {
        Assert.Equal(CustomerBuilder.Fields, CustomersDataset.AttributeNames);
    }

    [Fact]
    public void Conversation_RoundTripsThroughItsTableEntity()
    {
        var c = new Conversation
        {
            ConversationId = "WT1", AccountSid = "AC1", WorkspaceSid = "WS1", Date = "2026-11-24", StartedAt = At, EndedAt = At.AddMinutes(5),
            Channel = "voice", CommunicationChannel = "Call", Direction = "inbound", FirstQueueName = "Billing", FirstQueueSid = "WQ1",
            HandlingTeamId = "team-1", HandlingTeamName = "Team A", WorkflowName = "Assign", AgentSid = "WK1", AgentName = "Ana",
            Segments = 4, Transfers = 1, HandledSegments = 2, Handled = true, Abandoned = false, AbandonedPhase = "Queue", AbandonTime = 1.5,
            QueueTime = 2.25, RingTime = 3.5, TalkTime = 120.125, WrapUpTime = 30, HandleTime = 150.125, HoldTime = 4, IvrTime = 5,
            InServiceLevel = true, Outcome = "Task completed", CustomerKey = "+15550100", CustomerCountry = "US", CustomerPhone = "+15550100",
            CustomerCity = "Springfield", CustomerState = "IL", CustomerZip = "62701", SegmentLink = "https://r.example.org/1.wav",
            CustomAttributes = SortedColumns.From([new("campaign", "winter"), new("language", "English")]),
        };
        var entity = DatasetEntities.ToEntity(c, "p", At);
        AssertRoundTrip(ConversationsDataset.Definition, c, entity);
        Assert.Equal(("winter", "English"), (entity.GetString("campaign"), entity.GetString("language")));
    }

    [Fact]
    public void Segment_RoundTripsThroughItsTableEntity()
    {
        var s = new Segment
        {
            SegmentId = "WR1", Kind = "Conversation", ConversationId = "WT1", TaskSid = "WT2", Sequence = 3, AccountSid = "AC1", WorkspaceSid = "WS1",
            Channel = "voice", Direction = "inbound", WorkflowName = "Assign", QueueSid = "WQ1", QueueName = "Billing", AgentSid = "WK1",
            AgentName = "Ana", ReservationSid = "WR1", StartedAt = At, EndedAt = At.AddMinutes(3), QueueTime = 1.25, RingTime = 2, TalkTime = 100.5,
            WrapUpTime = 20, HoldTime = 3, HandleTime = 120.5, Abandoned = false, AbandonedPhase = "Ringing", AbandonTime = 0.5, InServiceLevel = true,
            Outcome = "Task completed", PrecededBy = "Transfer", FollowedBy = "Transfer", PreviousTaskSid = "WT0", TransferSid = "TT1",
            SegmentLink = "https://r.example.org/1.wav", QueueExit = "accepted",
        };
        var entity = DatasetEntities.ToEntity(s, "p", At);
        AssertRoundTrip(SegmentsDataset.Definition, s, entity);
        Assert.Equal("accepted", entity.GetString(SegmentsDataset.QueueExitColumn));
        Assert.Equal(TableKeys.SegmentRowKey(s.AccountSid, s.ConversationId, s.SegmentId), entity.RowKey);
        Assert.Equal(entity.RowKey, TableKeys.Escape(SegmentsDataset.Definition.KeyOf(TableLoadSource.Row(entity))));
    }

    [Fact]
    public void Activity_RoundTripsThroughItsTableEntity()
    {
        var a = new ActivityInterval
        {
            AgentSid = "WK1", AccountSid = "AC1", AgentName = "Ana", ActivitySid = "WA1", ActivityName = "Available", StartedAt = At,
            EndedAt = At.AddMinutes(7), Duration = 420, Date = "2026-11-24",
        };
        var entity = DatasetEntities.ToEntity(ActivitiesDataset.Definition, a, "p", TableAgentStore.ActivityRowKey(a.AccountSid, a.AgentSid, a.StartedAt), At);
        AssertRoundTrip(ActivitiesDataset.Definition, a, entity);
        Assert.Equal(entity.RowKey, TableKeys.Escape(ActivitiesDataset.Definition.KeyOf(TableLoadSource.Row(entity))));
    }

    [Fact]
    public void Agent_RoundTripsThroughItsTableEntity()
    {
        var a = new Agent
        {
            AgentSid = "WK1", AccountSid = "AC1", FullName = "Ana Ortiz", Email = "ana@example.org", Phone = "+15550101", Location = "Remote",
            Manager = "Bo", Role = "agent", State = "active", TeamId = "team-1", TeamName = "Team A", TeamNameInHierarchy = "Care/Team A",
            DepartmentId = "care", DepartmentName = "Care", DepartmentNameInHierarchy = "Org/Care", HasAttributes = true,
            Source = new AgentSource(7, 1764000000000, "EV1"),
        };
        var entity = DatasetEntities.ToEntity(AgentsDataset.Definition, a, TableAgentStore.AgentPartition(a.AccountSid, a.AgentSid), TableAgentStore.AgentRowKey(a.AccountSid, a.AgentSid), At);
        AssertRoundTrip(AgentsDataset.Definition, a, entity);
        Assert.Equal(entity.RowKey, TableKeys.Escape(AgentsDataset.Definition.KeyOf(TableLoadSource.Row(entity))));
        Assert.Equal(a, DatasetEntities.FromEntity(AgentsDataset.Definition, entity));
    }

    [Fact]
    public void Customer_RoundTripsThroughItsTableEntity()
    {
        var c = new Customer
        {
            CustomerKey = "+15550100", AccountSid = "AC1", Hipaa = false, SourceStartedAt = At, SourceConversationId = "WT1",
            Columns = SortedColumns.From([.. CustomerBuilder.Fields.Select((f, i) => KeyValuePair.Create(f, $"value {i}"))]),
        };
        var entity = DatasetEntities.ToEntity(CustomersDataset.Definition, c, "c00", TableConversationStore.CustomerRowKey(c.AccountSid, c.CustomerKey), At);
        AssertRoundTrip(CustomersDataset.Definition, c, entity);
        Assert.Equal(entity.RowKey, TableKeys.Escape(CustomersDataset.Definition.KeyOf(TableLoadSource.Row(entity))));
    }

    [Fact]
    public void IntervalRows_AreKeyedByStartAccountAndTheirSids()
    {
        var grid = new IntervalGrid(new ReportingClock("UTC"));
        var interval = grid.IntervalOf(At);
        var ms = interval.Start.ToUnixTimeMilliseconds().ToString("D13", System.Globalization.CultureInfo.InvariantCulture);
        var queue = QueueIntervalsDataset.Definition.ToRow(new QueueInterval { AccountSid = "AC1", Interval = interval, QueueSid = "WQ1", Offered = 3 });
        var activity = AgentActivityIntervalsDataset.Definition.ToRow(new AgentActivityInterval { AccountSid = "AC1", Interval = interval, AgentSid = "WK1", ActivityName = "Break", Seconds = 60 });
        var rta = RtaIntervalsDataset.Definition.ToRow(new RtaInterval { AccountSid = "AC1", Interval = interval, QueueSid = "WQ1", AgentsByActivity = new Dictionary<string, int> { ["Available"] = 2 } });
        Assert.Equal($"{ms}_AC1_WQ1", IntervalRows.KeyOf(LoadDatasets.QueueIntervals, queue));
        Assert.Equal($"{ms}_AC1_WK1_Break", IntervalRows.KeyOf(LoadDatasets.AgentActivityIntervals, activity));
        Assert.Equal($"{ms}_AC1_WQ1", IntervalRows.KeyOf(LoadDatasets.RtaIntervals, rta));
        Assert.Equal(interval.Start.UtcDateTime, queue["interval_start"]);
        Assert.Equal(3, queue["offered"]);
        Assert.Equal("{\"Available\":2}", rta["agents_by_activity"]);
        Assert.False(queue.ContainsKey("updated_at"));
    }

    [Fact]
    public void DatasetDate_FormatsParsesAndShifts()
    {
        Assert.Equal("2026-03-01", ReportingDate.Shift("2026-02-28", 1));
        Assert.Equal(new DateOnly(2026, 11, 24), ReportingDate.Parse("2026-11-24"));
        Assert.False(ReportingDate.TryParse("24/11/2026", out _));
        Assert.Equal("2026-11-24", DatasetDate.OfPartition("2026-11-24_0a"));
        Assert.Equal(new DateOnly(2026, 11, 24), DatasetDate.Of(new Dictionary<string, object?> { ["date"] = "2026-11-24" }));
    }

    /// <summary>Every column of the definition reads back from the entity as the record had it (as stored: flags Yes/No, instants UTC).</summary>
    private static void AssertRoundTrip<TRecord>(DatasetDefinition<TRecord> dataset, TRecord record, Azure.Data.Tables.TableEntity entity)
    {
        var back = DatasetEntities.FromEntity(dataset, entity);
        Assert.All(dataset.TypedColumns.Where(c => c.Role != ColumnRole.UpdatedAt), column =>
        {
            var expected = DatasetValues.Stored(column.Type, column.ValueOf(record));
            Assert.NotNull(expected); // the sample fills every column
            Assert.Equal(expected, DatasetValues.Stored(column.Type, column.ValueOf(back)));
        });
        Assert.Equal(At, entity.GetDateTimeOffset("updated_at"));
    }
}
