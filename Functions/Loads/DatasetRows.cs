using InsightsFunctions.Agents;
using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Loads;

/// <summary>Segments and Activities rows read back as the records the interval builders take (<see cref="DatasetDefinition{TRecord}.Read"/>).</summary>
public static class DatasetRows
{
    public static Segment ToSegment(IReadOnlyDictionary<string, object?> r) => SegmentsDataset.Definition.Read(r);

    public static ActivityInterval ToActivity(IReadOnlyDictionary<string, object?> r) => ActivitiesDataset.Definition.Read(r);
}
