// Named here, under the stages, because the settings (their schema and
// defaults), the pair budget (the memory each method takes a pair) and the
// clustering itself all name it.

/** How scored pairs become identity groups. */
export type ClusteringMethod = 'connectedComponents' | 'averageLinkage';
