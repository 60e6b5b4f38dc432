
namespace InsightsFunctions.Datasets;

/// <summary>The columns every interval dataset starts with: the interval's boundaries (reporting zone offsets in CSV), its date and the account.</summary>
public static class IntervalColumns
{
    public const string IntervalStart = "interval_start";
    public const string IntervalEnd = "interval_end";

    public static IEnumerable<DatasetColumn<TRecord>> Head<TRecord>(Func<TRecord, ReportingInterval> interval, Func<TRecord, string> accountSid) =>
    [
        Column<TRecord>.Boundary(IntervalStart, r => interval(r).Start),
        Column<TRecord>.Boundary(IntervalEnd, r => interval(r).End),
        Column<TRecord>.Text("date", r => interval(r).Date),
        Column<TRecord>.Text("account_sid", accountSid),
    ];
}
