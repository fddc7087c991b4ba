/** Stylesheets web/vite.config.ts makes from antd's (web/build/antd-styles.ts). */
declare module 'virtual:antd-landing.css';
declare module 'virtual:antd-rest.css';
