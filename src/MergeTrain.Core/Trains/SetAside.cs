namespace MergeTrain.Core.Trains;

/// <summary>
/// A car set aside from the train while the batch it failed in is searched for the MR that fails
/// (<see cref="Car.SetAside"/>). It keeps the commit it had on the chain: its probes test exactly
/// that commit, and what they find is a diagnosis only; a car cleared by them goes back to the train
/// and is tested again there.
/// </summary>
/// <param name="Search">The train-unique number of the search: the cars set aside together.</param>
/// <param name="BaseSha">The commit the first car of the batch was built on: the chain ahead of the batch when it failed.</param>
/// <param name="BaseMerged">Whether the target branch has reached <paramref name="BaseSha"/>: only then does a failure on it prove an MR fails.</param>
/// <param name="AheadSha">The commit the first car still set aside was built on: <paramref name="BaseSha"/>, or the commit of the last car cleared ahead of it.</param>
/// <param name="PassedAheadPipelineId">The probe that passed on exactly <paramref name="AheadSha"/>, once cars ahead were cleared.</param>
public sealed record SetAside(long Search, string BaseSha, bool BaseMerged, string AheadSha, long? PassedAheadPipelineId = null);
