namespace InsightsFunctions.Stitching;

/// <summary>
/// Told of every conversation the stitcher saves, after its rows are stored and before its component records them
/// (<see cref="StitchingService"/>): what it keeps from them is then exactly as current as the rows. A rebuild that loses
/// its compare-and-swap is rebuilt and saved again, and the observer is told again; a failure fails the batch, which is
/// retried whole. So an observer must make the last write of a conversation win, and repeating one change nothing.
/// </summary>
public interface IConversationObserver
{
    Task SavedAsync(IReadOnlyList<ConversationWrite> writes, CancellationToken cancellationToken);
}
