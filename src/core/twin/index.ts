// The twin store's pure logic: models, validation, operations as reducers over plain JSON documents.
export * from './ack';
export * from './actions';
export * from './delta';
export * from './desire';
export * from './document';
export * from './events';
export * from './history';
export * from './merge';
export * from './model';
export * from './operation';
export * from './query';
export * from './report';
export * from './sanitize';
export * from './staleness';
export * from './units';
export * from './validate';
