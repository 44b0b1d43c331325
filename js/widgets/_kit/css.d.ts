// Views import their stylesheet; esbuild bundles it into python/mlnb/static/<name>.css.
declare module '*.css';
